/**
 * What keeps a stored file from acting as a page of this server. A file's bytes are whatever someone put in the
 * account, and a browser that opened an .html, .svg or .xml file from the drive's own origin would run its script
 * as the drive itself: with the user's credentials (the browser sends them), same-origin, able to PROPFIND, GET and
 * DELETE anything.
 *
 * - `X-Content-Type-Options: nosniff` on every file answer: the browser takes the type we send (from the name)
 *   and never guesses, so a .txt or .jpg holding markup is never read as HTML.
 * - `Content-Security-Policy: sandbox` on every file answer except the passive types: no script, form, plugin or
 *   popup runs, and the document gets an opaque origin, so whatever it loads is a cross-site request, which the
 *   browser guard refuses. The file is still shown inline (a page renders without its scripts), not forced to
 *   download.
 * - Passive types are the ones a browser decodes itself and that carry no script: audio, video, and images other
 *   than SVG. They get no sandbox because a sandbox would break them: Chromium shows a media file in a document
 *   of its own whose `<video crossorigin>` loads the file again, and from an opaque origin that load is cross-origin
 *   and fails, so a video opened straight from the drive would not play. `<video>`/`<audio>`/`<img>` elements of a
 *   page ignore the headers of the file they load, and DAV clients and media servers ignore both headers.
 * - A PDF keeps the sandbox (PDF files carry scripts and forms, and viewers differ): a browser may then offer it
 *   as a download instead of previewing it in the tab. The web UI downloads files anyway.
 */

const PASSIVE = /^(audio|video)\/|^image\/(?!svg\+xml)/i;

/** The headers of every answer about the content of a file of type `mimeType` (see the module doc). */
export function fileHeaders(mimeType: string): Record<string, string> {
  const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
  if (!PASSIVE.test(mimeType.trim())) headers['Content-Security-Policy'] = 'sandbox';
  return headers;
}
