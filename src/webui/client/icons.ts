/**
 * File-type icons as inline SVG built with DOM calls (no markup parsing, nothing fetched): one outline per kind
 * and a short label for the kinds that share the document outline.
 */
import type { IconKind } from './filetypes.ts';

const SVG = 'http://www.w3.org/2000/svg';

const DOC = 'M6 2h8l5 5v14a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1z M14 2v5h5';

const SHAPES: Readonly<Record<IconKind, { d: string; label?: string }>> = {
  folder: { d: 'M3 6.5A1.5 1.5 0 0 1 4.5 5h4.2l2 2h8.8A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z' },
  image: { d: 'M4 4h16v16H4z M4 16l5-5 4 4 3-3 4 4 M15.5 8.5a1.5 1.5 0 1 0 0 .01' },
  video: { d: 'M3 6h13v12H3z M16 10l5-3v10l-5-3' },
  audio: { d: 'M9 18V5l11-2v13 M9 18a3 3 0 1 1-6 0a3 3 0 0 1 6 0z M20 16a3 3 0 1 1-6 0a3 3 0 0 1 6 0z' },
  archive: { d: 'M4 4h16v4H4z M5 8h14v12H5z M10 12h4' },
  disk: { d: 'M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18z M12 10a2 2 0 1 0 0 4a2 2 0 0 0 0-4z' },
  pdf: { d: DOC, label: 'PDF' },
  text: { d: `${DOC} M8 12h8 M8 15h8 M8 18h5` },
  code: { d: `${DOC} M10 12l-2 2.5 2 2.5 M14 12l2 2.5-2 2.5` },
  document: { d: `${DOC} M8 12h8 M8 15h8`, label: 'DOC' },
  sheet: { d: `${DOC} M8 11h8v7H8z M12 11v7 M8 14.5h8` },
  file: { d: DOC },
};

/** An SVG icon for `kind`, decorative (hidden from screen readers: the row says what it is). */
export function icon(kind: IconKind): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon icon-${kind}`);
  const shape = SHAPES[kind];
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', shape.d);
  svg.appendChild(path);
  if (shape.label) {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', '12');
    t.setAttribute('y', '18');
    t.setAttribute('text-anchor', 'middle');
    t.textContent = shape.label;
    svg.appendChild(t);
  }
  return svg;
}
