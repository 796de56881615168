// A Copy button for a read-only field (the portal link): shown only where this script runs; without it, the
// field is there to select and copy by hand.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const said = document.getElementById("copied");
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      said.textContent = "Copied.";
    } catch (e) {
      said.textContent = document.execCommand("copy") ? "Copied." : "Select the link and copy it.";
    }
  });
});
