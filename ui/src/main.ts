import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("missing #app element");

// Mounted before the page's load event (WebDriver's "page loaded"), so that only the real
// first screen is ever found; the copy in index.html has usually painted by then.
const app = mount(App, { target });
// The copy makes way in the same task, so no frame shows both.
document.getElementById("boot")?.remove();

export default app;
