// The one workload every SDK runs: N `track` calls of "Order Completed" for a user,
// with eight properties (one of them a three-item array of products). Each call
// builds its own properties object, as application code would.

export const EVENT = "Order Completed";

const SKUS = ["SKU-1001", "SKU-2002", "SKU-3003"];

export function userIdFor(i) {
  return "user_" + (i % 5000);
}

export function propertiesFor(i) {
  return {
    orderId: "ord_" + i,
    total: 129.97,
    revenue: 119.97,
    shipping: 5.5,
    tax: 4.5,
    currency: "USD",
    coupon: "SPRING24",
    products: [
      { sku: SKUS[0], name: "Lamp", price: 39.99, quantity: 1 },
      { sku: SKUS[1], name: "Shade", price: 49.99, quantity: 1 },
      { sku: SKUS[2], name: "Bulb", price: 9.99, quantity: 3 },
    ],
  };
}

export const WRITE_KEY = "bench_write_key";
