// Haraka outbound plugin: when a delivery bounces or is deferred, asks bounce-patterns for the verdict on each
// recipient's remote reply (one classifyBatch request), attaches it to the recipient (`rcpt.bounce_verdict`) and
// to the queue item (`hmail.todo.notes.bounce_patterns`), and logs it as one JSON line. It never holds delivery
// up: when the service is unreachable it logs the error and Haraka goes on as without it.
// Configuration: config/bounce_patterns.ini ([main] url, token or token_file, timeout in seconds).

const { readFileSync } = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const QUERY = `query Verdicts($items: [ClassifyInput!]!) {
  classifyBatch(items: $items) { type matchedBy message replyCode enhancedStatusCode rulesetVersion pattern { id: patternId name } isp { id: ispId name } }
}`;

exports.register = function () {
  this.load_config();
  this.register_hook('bounce', 'classify_bounce');
  this.register_hook('deferred', 'classify_deferral');
};

exports.load_config = function () {
  this.cfg = this.config.get('bounce_patterns.ini', () => this.load_config());
  const main = this.cfg.main ?? {};
  try {
    this.token = main.token_file ? readFileSync(main.token_file, 'utf8').trim() : (main.token ?? '');
  } catch (err) {
    // Haraka still starts and delivers; every verdict request then logs the refusal.
    this.logerror(`bounce_patterns: cannot read token_file: ${err.message}`);
    this.token = '';
  }
};

exports.classify_bounce = function (next, hmail, error) {
  const failed = [...(error?.bounced_rcpt ?? []), ...(error?.deferred_rcpt ?? [])];
  this.attach(hmail, failed.length > 0 ? failed : hmail.todo.rcpt_to, 'bounce', error?.message).finally(() => next());
};

exports.classify_deferral = function (next, hmail, params) {
  this.attach(hmail, hmail.todo.rcpt_to, 'deferred', String(params?.err ?? '')).finally(() => next());
};

exports.attach = async function (hmail, recipients, event, whole) {
  // A recipient refused on its own carries the reply; one refused with the message carries none: the error has it.
  const items = recipients.map((rcpt) => ({ reply: rcpt.reason || whole || '', recipient: addressOf(rcpt) }));
  try {
    const verdicts = await this.classify(items);
    const notes = [];
    recipients.forEach((rcpt, i) => {
      rcpt.bounce_verdict = verdicts[i];
      notes.push({ event, recipient: items[i].recipient, reply: items[i].reply, ...verdicts[i] });
      this.loginfo(hmail, `bounce_patterns ${JSON.stringify(notes.at(-1))}`);
    });
    hmail.todo.notes.bounce_patterns = notes;
  } catch (err) {
    this.logerror(hmail, `bounce_patterns: classify failed, no verdict attached: ${err.message}`);
  }
};

exports.classify = function (items) {
  const main = this.cfg.main ?? {};
  const body = JSON.stringify({ query: QUERY, variables: { items } });
  // node:http rather than fetch: Haraka runs plugins in a context without fetch and AbortSignal.
  const client = main.url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      main.url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        timeout: Number(main.timeout ?? 10) * 1000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => {
          try {
            const answer = JSON.parse(text);
            if (answer.errors?.length)
              reject(new Error(`${answer.errors[0].extensions?.code}: ${answer.errors[0].message}`));
            else resolve(answer.data.classifyBatch);
          } catch {
            reject(new Error(`HTTP ${response.statusCode} without a verdict`));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
};

// `address` is a getter in @haraka/email-address 3, a method in the address-rfc2821 of older Haraka.
const addressOf = (rcpt) => (typeof rcpt.address === 'function' ? rcpt.address() : rcpt.address);
