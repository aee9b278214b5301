// Starts GOV.UK Frontend's components. A file of its own, so that no page needs inline script (strict CSP).
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
