/** HTML helpers for page tests. */

/** HTML text with tags removed and ejs's escapes undone. */
export function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
