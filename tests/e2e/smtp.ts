// A tiny SMTP client so browser tests can deliver mail as a server on the
// internet would: to Postfix's SMTP listener of the test stack, which hands
// it to Dovecot (spam filter, Sieve) like any incoming mail.
import * as net from 'node:net';

export async function deliver(to: string, data: string, from = 'zoe@elsewhere.test'): Promise<void> {
  const [host, port] = (process.env.POSTERN_TEST_SMTP_ADDR ?? '127.0.0.1:20025').split(':');
  const sock = net.connect(Number(port), host);
  sock.setEncoding('utf8');
  let buf = '';
  const waiters: Array<() => void> = [];
  sock.on('data', (d: string) => {
    buf += d;
    waiters.splice(0).forEach((f) => f());
  });
  // One complete reply (its last line is `NNN text`), checked against `code`.
  const reply = (code: string) =>
    new Promise<void>((ok, err) => {
      const timer = setTimeout(() => err(new Error(`SMTP timeout, got: ${buf}`)), 20_000);
      const check = () => {
        const m = /(^|\r\n)(\d{3}) [^\r\n]*\r\n$/.exec(buf);
        if (!m) return void waiters.push(check);
        clearTimeout(timer);
        const got = buf;
        buf = '';
        if (m[2] === code) ok();
        else err(new Error(`SMTP: expected ${code}, got ${got}`));
      };
      check();
    });
  const say = async (line: string, code: string) => {
    sock.write(`${line}\r\n`);
    await reply(code);
  };
  try {
    await reply('220');
    await say('EHLO e2e.elsewhere.test', '250');
    await say(`MAIL FROM:<${from}>`, '250');
    await say(`RCPT TO:<${to}>`, '250');
    await say('DATA', '354');
    const body = data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    await say(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.`, '250');
    await say('QUIT', '221');
  } finally {
    sock.destroy();
  }
}
