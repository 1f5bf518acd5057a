/**
 * The overlay's styles, put into each shadow root by createShadowRootUi (`css`): no stylesheet
 * to fetch, no web-accessible resource, and the page's CSS cannot reach inside (WXT also resets
 * the host with `all: initial`). Colours meet WCAG AA contrast (4.5:1) on their backgrounds; light
 * only, because the overlay sits on the CMS's own (light) admin pages.
 */
export const OVERLAY_CSS = `
:host, html, body { font: 12px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
* { box-sizing: border-box; }
.row { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 4px; margin: 2px 0 0 6px; vertical-align: middle; }
.chip { position: relative; display: inline-flex; align-items: center; gap: 3px; padding: 1px 6px; border-radius: 9px; border: 1px solid; font-size: 11px; white-space: nowrap; cursor: default; }
.chip:focus-visible, button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
.chip[data-state="in_sync"] { background: #dafbe1; border-color: #1a7f37; color: #116329; }
.chip[data-state="pending"] { background: #fff8c5; border-color: #9a6700; color: #7d4e00; }
.chip[data-state="drift"] { background: #fff1e5; border-color: #bc4c00; color: #953800; }
.chip[data-state="failed"] { background: #ffebe9; border-color: #cf222e; color: #a40e26; }
.chip[data-state="never"], .chip[data-state="unknown"] { background: #f6f8fa; border-color: #6e7781; color: #424a53; }
.chip[data-state="out_of_scope"] { background: #ffffff; border-style: dashed; border-color: #8250df; color: #6639ba; }
.chip[data-override] { font-weight: 600; }
.panel td[data-state="out_of_scope"] { color: #6639ba; }
.panel select { font: inherit; font-size: 12px; }
.chip[data-state="loading"] { background: #f6f8fa; border-color: #d0d7de; color: #57606a; }
.chip[data-state="error"] { background: #ffebe9; border-color: #cf222e; color: #a40e26; }
.tip { display: none; position: absolute; z-index: 2147483647; left: 0; top: calc(100% + 4px); min-width: 14em; max-width: 28em; padding: 6px 8px; border-radius: 4px; background: #1f2328; color: #ffffff; white-space: normal; font-size: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.chip:hover .tip, .chip:focus .tip, .chip:focus-within .tip { display: block; }
button { font: inherit; font-size: 11px; padding: 1px 8px; border-radius: 4px; border: 1px solid #0969da; background: #ffffff; color: #0550ae; cursor: pointer; }
button:hover:not(:disabled) { background: #ddf4ff; }
button:disabled { cursor: progress; opacity: .7; }
button.primary { background: #0969da; color: #ffffff; }
button.primary:hover:not(:disabled) { background: #0550ae; }
.note { font-size: 11px; color: #57606a; }
.note[data-kind="error"] { color: #a40e26; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 6px 0; padding: 6px 10px; border: 1px solid #d0d7de; border-left: 4px solid #0969da; border-radius: 4px; background: #f6f8fa; font-size: 12px; }
.bar strong { font-weight: 600; }
.bar [role="alert"] { color: #a40e26; font-weight: 600; }
.alerts { flex-basis: 100%; order: 10; list-style: none; margin: 0; padding: 0; }
.alerts li { margin: 2px 0; }
.panel { margin: 0 0 16px; padding: 12px 14px; border: 1px solid #d0d7de; border-left: 4px solid #0969da; border-radius: 6px; background: #ffffff; font-size: 13px; max-width: 60rem; }
.panel h2 { margin: 0 0 8px; font-size: 15px; }
.panel h3 { margin: 12px 0 4px; font-size: 13px; }
.panel table { border-collapse: collapse; width: 100%; }
.panel th, .panel td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid #eaeef2; vertical-align: top; }
.panel ul { margin: 0; padding-left: 18px; }
.panel .ok { color: #116329; }
.panel .bad { color: #a40e26; }
.panel .actions { display: flex; gap: 8px; align-items: center; margin-top: 8px; }
`;
