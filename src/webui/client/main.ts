/**
 * The web UI's entry point (bundled by the gateway, src/webui/server/assets.ts). The page's <html> element
 * carries what the script needs (data-base: the server's base URL prefix; data-read-only), written by the
 * server; everything else comes from the endpoints and from WebDAV requests.
 */
import './style.css';
import { App } from './app.ts';

const root = document.documentElement;
const app = new App({ base: root.dataset.base ?? '', readOnly: root.dataset.readOnly === '1' });
app.start(document.body);
