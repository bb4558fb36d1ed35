// intake review: live re-pricing, evidence highlighting, adding and removing lines. No framework, no inline code
// (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
  const fieldsOf = (el) => (el?.dataset.fields || "").split(" ").filter(Boolean);

  // --- evidence: a field and the place in the original it was read from light up together ---
  function evidenceFor(fields) {
    const all = document.querySelectorAll(".original [data-fields]");
    return [...all].filter((el) => fieldsOf(el).some((f) => fields.includes(f)));
  }

  function activate(fields, scroll) {
    document.querySelectorAll(".original .active").forEach((el) => el.classList.remove("active"));
    const found = evidenceFor(fields);
    found.forEach((el) => el.classList.add("active"));
    // Scrolling on hover would make the original jump under the pointer; only a focused field scrolls it.
    if (scroll && found.length) found[0].scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function bindEvidence() {
    const pane = document.querySelector(".fields");
    if (!pane) return;
    pane.addEventListener("focusin", (event) => {
      const holder = event.target.closest("[data-fields]");
      if (holder) activate(fieldsOf(holder), true);
    });
    pane.addEventListener("mouseover", (event) => {
      const holder = event.target.closest("[data-fields]");
      if (holder) activate(fieldsOf(holder), false);
    });
    document.querySelectorAll(".original mark.ev").forEach((mark) => {
      mark.addEventListener("click", () => {
        const field = fieldsOf(mark)[0];
        const holder = field && document.querySelector(`.fields [data-fields~="${CSS.escape(field)}"]`);
        const input = holder?.querySelector("input:not([type=hidden]), select");
        if (input) input.focus();
        activate(fieldsOf(mark), false);
      });
    });
  }

  // --- live quote: every edit is priced by the server's engine, nothing is saved until a button is pressed ---
  function bindPreview() {
    const form = document.getElementById("review-form");
    if (!form || form.querySelector("fieldset:disabled")) return;
    const state = document.getElementById("preview-state");
    const approve = document.getElementById("approve");
    let timer = null;
    let sequence = 0;

    async function refresh() {
      const mine = ++sequence;
      const body = {};
      for (const [key, value] of new FormData(form)) {
        if (typeof value === "string" && key !== "csrf_token") body[key] = value;
      }
      state.textContent = "계산 중… / pricing…";
      try {
        const response = await fetch(form.dataset.priceUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
        if (mine !== sequence) return;  // a newer edit is already on its way
        if (response.status === 401) { window.location.reload(); return; }
        const data = await response.json();
        if (data.html) document.getElementById("quote-preview").outerHTML = data.html;
        if (data.summary_html) document.getElementById("decision-summary").outerHTML = data.summary_html;
        approve.disabled = !data.may_approve;
        state.textContent = data.ok ? "갱신됨 / updated" : "입력 확인 / check the input";
      } catch (error) {
        state.textContent = "계산 실패 / could not price: " + error;
      }
    }

    const schedule = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName !== "TEXTAREA") event.preventDefault();
    });

    // Adding and removing lines.
    const body = document.querySelector("#lines tbody");
    const template = document.getElementById("new-line-template");
    let added = 1000;  // row keys of added lines never collide with the server's 0..n-1
    document.getElementById("add-line").addEventListener("click", () => {
      const html = template.innerHTML.replaceAll("__N__", String(added++));
      body.insertAdjacentHTML("beforeend", html);
      body.lastElementChild.querySelector("input.sku").focus();
      schedule();
    });
    body.addEventListener("click", (event) => {
      const button = event.target.closest("button.remove-line");
      if (!button) return;
      const row = button.closest("tr");
      if (row.classList.contains("added")) {
        row.remove();
      } else {
        // Disabled inputs are not submitted: the line is removed unless the reviewer restores it.
        const removed = row.classList.toggle("removed");
        row.querySelectorAll("input").forEach((input) => { input.disabled = removed; });
        button.textContent = removed ? "↺" : "✕";
        button.title = removed ? "되돌리기 / restore" : "행 삭제 / remove line";
      }
      schedule();
    });
    // An edited value is the reviewer's: it shows in the reviewer's colour from the first keystroke.
    form.addEventListener("input", (event) => {
      const cell = event.target.closest(".conf");
      if (!cell || cell.classList.contains("lvl-reviewer")) return;
      cell.classList.remove("lvl-high", "lvl-medium", "lvl-low");
      cell.classList.add("lvl-reviewer");
      const pill = cell.querySelector(".pill");
      if (pill) {
        pill.className = "pill lvl-reviewer";
        pill.textContent = "수정";
      }
    });
    body.addEventListener("input", (event) => {
      if (!event.target.matches("input.sku")) return;
      const option = document.querySelector(`#catalog-options option[value="${CSS.escape(event.target.value.trim())}"]`);
      const name = event.target.closest("td").querySelector(".sku-name");
      if (name) name.textContent = option ? option.label : "";
    });

    // A rejection needs a reason: ask for it here rather than after a round trip.
    document.getElementById("reject").addEventListener("click", (event) => {
      const reason = document.getElementById("reason");
      if (!reason.value.trim()) {
        event.preventDefault();
        reason.placeholder = "반려 사유를 입력하세요 / please give a reason";
        reason.classList.add("missing");
        reason.focus();
      }
    });
  }

  // --- after an approval the pipeline runs in the background: show the quote as soon as it exists ---
  function bindPolling() {
    const status = document.getElementById("resume-status");
    if (!status) return;
    const poll = async () => {
      try {
        const response = await fetch(status.dataset.poll, { credentials: "same-origin" });
        const data = await response.json();
        if (data.status !== "review" || data.quote_number) { window.location.reload(); return; }
      } catch (error) { /* the next poll tries again */ }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 1500);
  }

  document.addEventListener("DOMContentLoaded", () => {
    bindEvidence();
    bindPreview();
    bindPolling();
  });
})();
