// Progressive enhancement only; every page works without script (the CSP allows no inline script).
// - [data-expires-at]: a live "1h 05m left" countdown (console header).
// - form[data-confirm]: asks before submitting.
// - time[data-local-time]: the server writes UTC; shown here in the viewer's local time.
// - [data-relative-to]: "in 59 minutes", kept current (worded as src/web/in-words.ts does).
// - button.copy[data-copy]: copies the text of the element with that id (shown only with script).
(() => {
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const inWords = (ms) => {
    if (ms <= 0) return 'expired';
    if (ms < 60_000) return 'in less than a minute';
    const minutes = Math.floor(ms / 60_000);
    if (minutes < 60) return `in ${plural(minutes, 'minute')}`;
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return `in ${plural(hours, 'hour')}${rest ? ` and ${plural(rest, 'minute')}` : ''}`;
  };

  const localTime = (el) => {
    const at = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(at.getTime())) return;
    el.textContent = at.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    el.title = el.getAttribute('datetime');
  };

  const relative = (el) => {
    const at = Date.parse(el.getAttribute('data-relative-to'));
    if (Number.isNaN(at)) return;
    const tick = () => void (el.textContent = inWords(at - Date.now()));
    tick();
    setInterval(tick, 15_000);
  };

  const copyText = async (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain http on a non-loopback host has no async clipboard: copy through a selection.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('copy refused');
  };

  const copyButton = (button) => {
    const source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    button.hidden = false;
    button.addEventListener('click', () => {
      copyText(source.textContent).then(
        () => (button.textContent = 'Copied'),
        () => (button.textContent = 'Select and copy'),
      );
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    });
  };

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
    document.querySelectorAll('time[data-local-time]').forEach(localTime);
    document.querySelectorAll('[data-relative-to]').forEach(relative);
    document.querySelectorAll('button.copy[data-copy]').forEach(copyButton);
  });
})();
