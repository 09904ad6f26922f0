export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}
export function freePort(): Promise<number>;
export function postgresBin(): string;
export function clickhouseCommand(): string[];
export function startPostgres(options?: { limitSeconds?: number }): Promise<RunningServer & { port: number }>;
export function startClickHouse(options?: {
  limitSeconds?: number;
}): Promise<RunningServer & { httpPort: number; errorLog(): string }>;
