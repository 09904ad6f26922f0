export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}
export function freePort(): Promise<number>;
export function postgresBin(): string;
export function clickhouseCommand(): string[];
export function startPostgres(): Promise<RunningServer & { port: number }>;
export function startClickHouse(): Promise<RunningServer & { httpPort: number; errorLog(): string }>;
