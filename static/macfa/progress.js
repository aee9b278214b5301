// Follows a learning summary's compile without reloading the page: polls the audit's progress URL while the
// summary is compiling and updates the status line (aria-live), the <progress> bar and the error message.
const POLL_MS = 1000;

function follow(box) {
  const status = box.querySelector("[data-progress-status]");
  const bar = box.querySelector("[data-progress-bar]");
  const error = box.querySelector("[data-progress-error]");
  const button = box.parentElement.querySelector("form button[disabled]");

  async function poll() {
    let state;
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return setTimeout(poll, POLL_MS * 5);
      state = await response.json();
    } catch {
      return setTimeout(poll, POLL_MS * 5);
    }
    if (status && status.textContent.trim() !== state.message) status.textContent = state.message;
    if (bar) {
      bar.value = state.progress_percent;
      bar.textContent = `${state.progress_percent}%`;
    }
    if (error) {
      error.hidden = state.status !== "failed";
      error.textContent = state.status === "failed" ? `${state.error || "The compile failed."} The previous version is kept.` : "";
    }
    if (state.finished) {
      if (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      }
      return;
    }
    setTimeout(poll, POLL_MS);
  }

  poll();
}

document.querySelectorAll("[data-progress-url][data-running]").forEach(follow);
