// The official openai npm client against `lpu serve`: models, completions and
// chat, whole and streamed, and an error the client must surface. Prints one
// JSON object with what it got, for tests/serve/openai_client_test.cpp to check.
//   LPU_NPM_TOOLS=<scripts/npm-tools folder> node openai_client.mjs BASE_URL PROMPT MAX_TOKENS
import {createRequire} from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.LPU_NPM_TOOLS, "package.json"));
const {default: OpenAI} = require("openai");
const [baseURL, prompt, maxTokensText] = process.argv.slice(2);
const maxTokens = Number(maxTokensText);
const client = new OpenAI({baseURL, apiKey: "unused", maxRetries: 0});

const models = await client.models.list();
const model = models.data[0].id;
const messages = [{role: "user", content: prompt}];
const common = {model, max_tokens: maxTokens, temperature: 0};

const completion = await client.completions.create({...common, prompt});
let completionStream = {text: "", chunks: 0, finish_reason: null, usage: null};
for await (const chunk of await client.completions.create({...common, prompt, stream: true})) {
  completionStream.chunks += 1;
  completionStream.text += chunk.choices[0]?.text ?? "";
  completionStream.finish_reason = chunk.choices[0]?.finish_reason ?? completionStream.finish_reason;
  completionStream.usage = chunk.usage ?? completionStream.usage;
}
const chat = await client.chat.completions.create({...common, messages});
let chatStream = {text: "", chunks: 0, finish_reason: null, usage: null, x_emulated_lpu: null};
for await (const chunk of await client.chat.completions.create({...common, messages, stream: true})) {
  chatStream.chunks += 1;
  chatStream.text += chunk.choices[0]?.delta?.content ?? "";
  chatStream.finish_reason = chunk.choices[0]?.finish_reason ?? chatStream.finish_reason;
  chatStream.usage = chunk.usage ?? chatStream.usage;
  chatStream.x_emulated_lpu = chunk.x_emulated_lpu ?? chatStream.x_emulated_lpu;
}
let error = null;
try {
  await client.completions.create({...common, model: "no-such-model", prompt});
} catch (e) {
  error = {status: e.status, message: e.message, code: e.code ?? null};
}

console.log(JSON.stringify({
  model,
  completion: {text: completion.choices[0].text, finish_reason: completion.choices[0].finish_reason,
               usage: completion.usage, x_emulated_lpu: completion.x_emulated_lpu},
  completion_stream: completionStream,
  chat: {text: chat.choices[0].message.content, role: chat.choices[0].message.role,
         finish_reason: chat.choices[0].finish_reason, usage: chat.usage},
  chat_stream: chatStream,
  error,
}));
