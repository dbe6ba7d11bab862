// Start-up marks (User Timing): the app bench reads them to time start-up without the driver.
performance.mark("kasir:script");
import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const app = mount(App, { target: document.getElementById("app")! });

export default app;
