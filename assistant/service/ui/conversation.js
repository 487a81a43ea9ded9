// js_on_load of the conversation: citation markers open their source; 👍/👎 then "Gửi đánh giá"
// send the feedback to the server (trigger); a new question scrolls into view.
element.addEventListener("click", (event) => {
  const cite = event.target.closest("a.cite");
  if (cite) {
    event.preventDefault();
    const number = element.querySelector("#" + CSS.escape(cite.dataset.src));
    const source = number && number.closest("details.src");
    if (source) {
      source.open = true;
      source.scrollIntoView({ behavior: "smooth", block: "center" });
      source.classList.add("flash");
      setTimeout(() => source.classList.remove("flash"), 1400);
    }
    return;
  }
  const rate = event.target.closest("button.fb");
  if (rate) {
    const box = rate.closest(".feedback");
    box.querySelectorAll("button.fb").forEach((b) => b.classList.toggle("chosen", b === rate));
    box.dataset.rating = rate.dataset.rate;
    box.classList.add("open");
    box.querySelector("textarea").focus();
    return;
  }
  const send = event.target.closest("button.fb-send");
  if (send) {
    const box = send.closest(".feedback");
    if (!box.dataset.rating) return;
    send.disabled = true;
    send.textContent = "Đang gửi…";
    trigger("click", {
      answer: box.dataset.answer,
      rating: box.dataset.rating,
      comment: box.querySelector("textarea").value,
    });
  }
});
let shown = 0;
watch("value", () => {
  const turns = element.querySelectorAll("section.turn");
  if (turns.length > shown) {
    turns[turns.length - 1].scrollIntoView({ behavior: "smooth", block: "start" });
  }
  shown = turns.length;
});
