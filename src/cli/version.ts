/** The program's version, as the control port's core/version and the web UI's about answer report it. */
export const VERSION = '0.1.0';
