// A deliberately tiny IMAP client so browser tests can act as "another mail
// client" on the same mailbox, independent of the gateway's IMAP code. It
// logs in as the Dovecot master user of the test stack.
import * as net from 'node:net';

export class Imap {
  private buf = '';
  private waiters: Array<() => void> = [];
  private tag = 0;

  private constructor(private sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      const w = this.waiters;
      this.waiters = [];
      w.forEach((f) => f());
    });
  }

  static async login(address: string): Promise<Imap> {
    const [host, port] = (process.env.POSTERN_TEST_IMAP_ADDR ?? '127.0.0.1:20143').split(':');
    const master = process.env.POSTERN_TEST_MASTER_USER ?? 'master';
    const secret = process.env.POSTERN_TEST_MASTER_PASSWORD;
    if (!secret) throw new Error('POSTERN_TEST_MASTER_PASSWORD unset: run through `cargo xtask test`');
    const sock = net.connect(Number(port), host);
    await new Promise<void>((ok, err) => {
      sock.once('connect', () => ok());
      sock.once('error', err);
    });
    const c = new Imap(sock);
    await c.readUntil((b) => b.includes('\r\n'));
    c.buf = '';
    await c.cmd(`LOGIN ${quote(`${address}*${master}`)} ${quote(secret)}`);
    return c;
  }

  private readUntil(done: (b: string) => boolean): Promise<void> {
    return new Promise((ok, err) => {
      const timer = setTimeout(() => err(new Error(`IMAP timeout, got: ${this.buf}`)), 10_000);
      const check = () => {
        if (done(this.buf)) {
          clearTimeout(timer);
          ok();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Sends one command; resolves with the untagged lines, rejects on NO/BAD. */
  async cmd(command: string): Promise<string[]> {
    const t = `e${++this.tag}`;
    this.sock.write(`${t} ${command}\r\n`);
    const end = new RegExp(`(^|\\r\\n)${t} (OK|NO|BAD)[^\\r\\n]*\\r\\n`);
    await this.readUntil((b) => end.test(b));
    const text = this.buf;
    this.buf = '';
    const lines = text.split('\r\n').filter((l) => l.length > 0);
    const last = lines.pop()!;
    if (!last.startsWith(`${t} OK`)) throw new Error(`IMAP ${command.split(' ')[0]} failed: ${last}`);
    return lines;
  }

  /** Appends a message (LITERAL+) and returns its UID (UIDPLUS). */
  async append(folder: string, message: string, flags = ''): Promise<number> {
    const body = message.replace(/\r?\n/g, '\r\n');
    const size = Buffer.byteLength(body, 'utf8');
    const t = `e${++this.tag}`;
    this.sock.write(`${t} APPEND ${quote(folder)} (${flags}) {${size}+}\r\n${body}\r\n`);
    const end = new RegExp(`(^|\\r\\n)${t} (OK|NO|BAD)[^\\r\\n]*\\r\\n`);
    await this.readUntil((b) => end.test(b));
    const text = this.buf;
    this.buf = '';
    const m = /APPENDUID \d+ (\d+)/.exec(text);
    if (!m) throw new Error(`APPEND failed: ${text}`);
    return Number(m[1]);
  }

  async flags(folder: string, uid: number): Promise<string[]> {
    await this.cmd(`EXAMINE ${quote(folder)}`);
    const lines = await this.cmd(`UID FETCH ${uid} (FLAGS)`);
    const m = lines.map((l) => /FLAGS \(([^)]*)\)/.exec(l)).find((x) => x);
    return m ? m[1].split(' ').filter((f) => f) : [];
  }

  async store(folder: string, uid: number, op: '+' | '-', flag: string): Promise<void> {
    await this.cmd(`SELECT ${quote(folder)}`);
    await this.cmd(`UID STORE ${uid} ${op}FLAGS.SILENT (${flag})`);
  }

  async logout(): Promise<void> {
    try {
      await this.cmd('LOGOUT');
    } catch {
      /* BYE may close first */
    }
    this.sock.destroy();
  }
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A plain RFC 5322 message with a unique subject, for one test. */
export function message(opts: { subject: string; html?: string; text?: string; from?: string; to?: string }): string {
  const from = opts.from ?? 'Zoë Tester <zoe@elsewhere.test>';
  const to = opts.to ?? 'olivia@example.test';
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const head = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${opts.subject}`,
    `Date: ${date}`,
    `Message-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@elsewhere.test>`,
    'MIME-Version: 1.0',
  ];
  if (opts.html) {
    return [...head, 'Content-Type: text/html; charset=utf-8', '', opts.html, ''].join('\r\n');
  }
  return [...head, 'Content-Type: text/plain; charset=utf-8', '', opts.text ?? 'Hello.', ''].join('\r\n');
}

export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
