// The telegram-test-api Bot API emulator for the end-to-end tests (started by conftest.py).
//
//   TELEGRAM_TEST_API_DIR=<dir holding node_modules/telegram-test-api> node emulator.mjs
//
// Prints one JSON line per event on stdout, which the tests wait for instead of sleeping:
//   {"event": "listening", "url": "http://127.0.0.1:<port>"}   the HTTP API answers
//   {"event": "polled"}                                         a bot called getUpdates
//   {"event": "webhook", "token": "…", "url": "…"}              a bot called setWebhook
// Exits on SIGTERM/SIGINT, or when stdin closes (the test process went away).
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";

const dir = process.env.TELEGRAM_TEST_API_DIR;
if (!dir) {
  console.error("TELEGRAM_TEST_API_DIR is not set");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), "package.json"));
const TelegramServer = require("telegram-test-api");

const HOST = "127.0.0.1";

function say(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

// The emulator treats port 0 as "use 9000", so ask the OS for a free port first and retry if
// another process takes it in between.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    // storeTimeout: keep every message for the whole run; the default 60 s drops history.
    const server = new TelegramServer({ host: HOST, port, storeTimeout: 3600 });
    try {
      await server.start();
      return server;
    } catch (error) {
      if (error.code !== "EADDRINUSE" || attempt >= 10) throw error;
    }
  }
}

const server = await startServer();

// Report the first getUpdates: from then on the bot is polling and will see what users send.
const getUpdates = server.getUpdates.bind(server);
let polled = false;
server.getUpdates = (token) => {
  if (!polled) {
    polled = true;
    say({ event: "polled" });
  }
  return getUpdates(token);
};

// Webhooks. The emulator POSTs each user update to the URL given to setWebhook (axios, in
// TelegramServer.addUserUpdate) instead of queueing it for getUpdates, but leaves out the
// secret_token, which Telegram sends in a header: add it, on the emulator's own axios instance.
const axios = require("axios");
axios.interceptors.request.use((config) => {
  const hook = Object.values(server.webhooks).find((h) => h.url === config.url);
  if (hook?.secret_token) {
    config.headers = { ...config.headers, "X-Telegram-Bot-Api-Secret-Token": hook.secret_token };
  }
  return config;
});

const setWebhook = server.setWebhook.bind(server);
server.setWebhook = (webhook, token) => {
  setWebhook(webhook, token);
  say({ event: "webhook", token, url: webhook.url });
};

// The client routes do not await delivery: a refused POST would be an unhandled rejection,
// which kills node. Log it instead; the test then waits in vain for the bot's answer.
const addUserUpdate = server.addUserUpdate.bind(server);
server.addUserUpdate = async (update) => {
  try {
    await addUserUpdate(update);
  } catch (error) {
    console.error(`webhook delivery failed: ${error}`);
  }
};

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

say({ event: "listening", url: server.config.apiURL });
