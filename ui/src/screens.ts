/** Which component shows each route. `loading` and `offline` are drawn by App itself. */
import type { Component } from "svelte";
import Admin from "./features/admin/Admin.svelte";
import OrdersBoard from "./features/board/OrdersBoard.svelte";
import Login from "./features/login/Login.svelte";
import Sell from "./features/sell/Sell.svelte";
import Setup from "./features/setup/Setup.svelte";
import type { Route } from "./stores/chrome.svelte";

export const SCREENS: Partial<Record<Route, Component>> = {
  setup: Setup,
  login: Login,
  sell: Sell,
  board: OrdersBoard,
  admin: Admin,
};
