/** Which icon a name gets, by its extension. Pure: no DOM. */
export type IconKind = 'folder' | 'image' | 'video' | 'audio' | 'archive' | 'pdf' | 'text' | 'code' | 'document' | 'sheet' | 'disk' | 'file';

const BY_EXT: Record<string, IconKind> = {};
const groups: [IconKind, string][] = [
  ['image', 'jpg jpeg png gif bmp webp svg tif tiff heic heif avif ico raw cr2 nef'],
  ['video', 'mp4 mkv avi mov wmv webm m4v mpg mpeg ts m2ts flv 3gp vob'],
  ['audio', 'mp3 wav flac ogg oga opus m4a aac wma aiff alac mid midi'],
  ['archive', 'zip rar 7z tar gz tgz bz2 xz zst lz lzma cab arj'],
  ['disk', 'iso img dmg vhd vhdx vmdk qcow2'],
  ['pdf', 'pdf'],
  ['text', 'txt md log nfo srt sub ass vtt ini cfg conf csv tsv rtf'],
  ['code', 'js mjs ts json html htm css xml yml yaml toml sh py rb go rs c h cpp hpp java kt php sql'],
  ['document', 'doc docx odt pages epub mobi azw3'],
  ['sheet', 'xls xlsx ods numbers ppt pptx odp key'],
];
for (const [kind, exts] of groups) for (const e of exts.split(' ')) BY_EXT[e] = kind;

export function iconKind(name: string, isDir: boolean): IconKind {
  if (isDir) return 'folder';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'file';
  return BY_EXT[name.slice(dot + 1).toLowerCase()] ?? 'file';
}
