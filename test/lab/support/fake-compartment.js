// A stand-in for a compartment process in the supervisor's tests, steered by its environment:
//
// - PORT: where it listens (127.0.0.1); GET /ready answers 200.
// - EXIT_CODE, EXIT_MESSAGE: write the message to stderr and exit with the code at once.
// - READY_DELAY_MS: wait this long before listening.
// - START_COUNT_FILE: a file counting the starts so far, for the settings below.
// - CRASHES, CRASH_AFTER_MS: the first CRASHES starts exit 1 this long after their first
//   answer to GET /ready.
// - STALL_FROM_START: from this start on, never listen.
// - IGNORE_SIGTERM=1: carry on after SIGTERM.
// - POST /grow: allocate (and touch) 4 MiB every 10 ms until killed.
const fs = require('node:fs');
const http = require('node:http');

const env = process.env;
const start = countStart(env.START_COUNT_FILE);
console.log(JSON.stringify({ msg: 'starting', start }));

if (env.EXIT_CODE !== undefined) {
  process.stderr.write(`${env.EXIT_MESSAGE}\n`);
  process.exit(Number(env.EXIT_CODE));
}
if (env.IGNORE_SIGTERM === '1') process.on('SIGTERM', () => {});

const held = [];
const server = http.createServer((req, res) => {
  if (req.url === '/ready') {
    res.end('ready');
    return crashWhenDue();
  }
  if (req.method === 'POST' && req.url === '/grow') {
    setInterval(() => held.push(Buffer.alloc(4 * 2 ** 20, 1)), 10);
    return res.end('growing');
  }
  res.statusCode = 404;
  res.end();
});

const stalls = env.STALL_FROM_START !== undefined && start >= Number(env.STALL_FROM_START);
if (stalls) setInterval(() => {}, 60_000);
else setTimeout(listen, Number(env.READY_DELAY_MS ?? 0));

function listen() {
  server.listen(Number(env.PORT), '127.0.0.1', () => {
    console.log(JSON.stringify({ msg: 'listening', start }));
  });
}

let crashing = false;
function crashWhenDue() {
  if (crashing || start > Number(env.CRASHES ?? 0)) return;
  crashing = true;
  setTimeout(() => process.exit(1), Number(env.CRASH_AFTER_MS ?? 0));
}

function countStart(file) {
  if (file === undefined) return 1;
  const count = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) + 1 : 1;
  fs.writeFileSync(file, String(count));
  return count;
}
