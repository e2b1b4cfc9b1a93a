/**
 * A WebDAV dead property: stored by the metadata store, carried by the VFS, written by the WebDAV layer. It
 * lives here, below all three, because each of them handles it and none of them owns it.
 */

/** A dead property. `value` is the inner XML of the property element, verbatim. */
export interface DeadProp {
  ns: string;
  name: string;
  value: string;
}
