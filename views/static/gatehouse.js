// Progressive enhancement only; every page works without script.
document.addEventListener('DOMContentLoaded', () => {
  const left = document.querySelector('[data-expires-at]');
  if (left) {
    const end = Number(left.getAttribute('data-expires-at'));
    const tick = () => {
      const s = Math.max(0, Math.floor((end - Date.now()) / 1000));
      left.textContent = `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m left`;
    };
    tick();
    setInterval(tick, 30_000);
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
    });
  }
});
