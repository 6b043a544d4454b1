// The test strings of the tokenizer cross-check: a seeded, reproducible mix of the
// text tokenizers get wrong (ASCII prose, accents, CJK, emoji, code, whitespace runs,
// digits, special-token text, rare scripts), printed as a JSON array.
//   node tokenize_strings.mjs > strings.json
const seed = 20240615;
let state = seed >>> 0;
// mulberry32: small, seeded, the same on every machine.
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const repeat = (n, make) => Array.from({length: n}, make);

const words = ("the of and to in is was he for it with as his on be at by had are but from or have an they which " +
  "one you were her all she there would their we him been has when who will more no if out so said what up its " +
  "about into than them can only other new some could time these two may then do first any my now such like our " +
  "over man me even most made after also did many before must through back years where much your way well down " +
  "should because each just those people how too little state good very make world still own see men work long " +
  "tokenizer model chip lattice pipeline tensor quantum LPU GPU Llama Qwen McDonald O'Brien JavaScript iPhone").split(" ");
const contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "'x", "'"];
const punctuation = [".", ",", "!", "?", ";", ":", "...", " -", " --", "(", ")", "\"", "'", "[", "]", "/", "&", "%"];

function prose() {
  return repeat(int(1, 18), () => {
    let w = pick(words);
    if (random() < 0.15) w = w[0].toUpperCase() + w.slice(1);
    if (random() < 0.05) w = w.toUpperCase();
    if (random() < 0.1) w += pick(contractions);
    if (random() < 0.2) w += pick(punctuation);
    return w;
  }).join(" ");
}

const accented = ["café", "naïve", "résumé", "über", "Straße", "façade", "jalapeño", "São Paulo", "Zürich", "Ærø",
  "Łódź", "Kraków", "niño", "coöperate", "déjà vu", "Ångström", "Đà Nẵng", "Tiếng Việt", "Ελληνικά", "Москва",
  "Besançon", "Señor", "Ça va", "İstanbul", "Ölçü", "Dvořák", "Škoda", "Æsir", "Þór", "ſtraße", "ﬁne", "Ǆemal"];
const latin = "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿāăąćčďđēėęěğīįıķĺľłńňőœŕřśşšťūůűųźżžșțƒǎǐǒǔ".split("");
function accents() {
  return repeat(int(1, 8), () => random() < 0.5 ? pick(accented)
    : repeat(int(1, 7), () => random() < 0.4 ? pick(latin) : String.fromCharCode(int(97, 122))).join("")).join(" ");
}

const chinese = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切".split("");
const japanese = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテトーッ日本語東京漢字".split("");
const korean = "가나다라마바사아자차카타파하한국어서울대학교감사합니다안녕하세요".split("");
const cjkPunct = ["，", "。", "、", "！", "？", "：", "；", "「", "」", "（", "）", "《", "》", "　", "～"];
function cjk() {
  const pool = pick([chinese, japanese, korean, chinese]);
  return repeat(int(1, 24), () => random() < 0.12 ? pick(cjkPunct) : random() < 0.05 ? " " + pick(words) + " " : pick(pool)).join("");
}

const emojis = ["😀", "😂", "🥲", "👍", "👍🏽", "👍🏿", "🙏", "❤️", "🔥", "✨", "🎉", "🌍", "🚀", "🤖", "🧠", "🍕", "🐍",
  "👨‍👩‍👧‍👦", "👩🏾‍💻", "🏳️‍🌈", "🇺🇸", "🇯🇵", "🇩🇪", "1️⃣", "#️⃣", "©️", "™️", "☕", "⚡", "✅", "❌", "🫠", "🪐", "🧑‍🚀"];
function emoji() {
  return repeat(int(1, 10), () => random() < 0.5 ? pick(emojis) : random() < 0.5 ? pick(words) : " ").join(random() < 0.5 ? "" : " ");
}

const code = [
  "int main(int argc, char** argv) {\n    return 0;\n}", "for (auto& x : xs) { sum += x * 2; }",
  "def f(x):\n\treturn x ** 2 if x > 0 else -x", "const add = (a, b) => a + b;", "if (a != b && c <= d || !e) {}",
  "std::vector<std::string> v{\"a\", \"b\"};", "x = [i for i in range(10) if i % 2 == 0]", "SELECT * FROM t WHERE id >= 42;",
  "{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\"}}", "ls -la | grep '\\.cpp$' > files.txt 2>&1",
  "#include <iostream>\n#define MAX(a,b) ((a)>(b)?(a):(b))", "printf(\"%d %s\\n\", n, name);", "a->b.c[i]++; --j; k <<= 3;",
  "    indented_with_spaces = True\n        deeper = None", "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
  "<div class=\"x\">Hello &amp; bye</div>", "$ export PATH=$HOME/bin:$PATH", "// comment\n/* block */ x /= 2;",
  "0x1F 0b1010 1e-9 3.14159f 1_000_000", "assert!(v.len() == 3, \"len was {}\", v.len());",
];
function codeSnippet() {
  let s = pick(code);
  if (random() < 0.3) s += "\n" + pick(code);
  if (random() < 0.2) s = s.replace(/ {4}/g, "\t");
  return s;
}

const spaces = [" ", "  ", "   ", "    ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", " \t ", "\u00a0", "\u3000",
  "\u2003", "\u2009", "\u200b", "\u0085", "\u2028", "\u000b", "\u000c"];
function whitespace() {
  return repeat(int(1, 8), () => random() < 0.5 ? repeat(int(1, 4), () => pick(spaces)).join("") : pick(words)).join("");
}

function digits() {
  const forms = [
    () => String(int(0, 9)), () => String(int(0, 99999)), () => String(int(0, 2 ** 31)) + String(int(0, 999999)),
    () => `${int(0, 999)}.${int(0, 99999)}`, () => `${int(1, 12)}/${int(1, 28)}/${int(1900, 2099)}`,
    () => `+1 (${int(200, 999)}) ${int(100, 999)}-${int(1000, 9999)}`, () => `${int(1, 999)},${int(100, 999)},${int(100, 999)}`,
    () => "٣٤٥", () => "१२३", () => "①②③", () => "½ ¾ ²³", () => "Ⅻ", () => `v${int(0, 9)}.${int(0, 20)}.${int(0, 99)}`,
  ];
  return repeat(int(1, 5), () => pick(forms)()).join(pick([" ", "", ", ", "x", " + "]));
}

const specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>",
  "<|reserved_special_token_0|>", "<|eom_id|>", "<|python_tag|>", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
  "<think>", "</think>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|vision_start|>", "<s>", "</s>", "<unk>",
  "<|im_start", "im_end|>", "<|", "|>", "<<SYS>>", "[INST]", "[/INST]"];
function special() {
  return repeat(int(1, 6), () => random() < 0.5 ? pick(specials) : random() < 0.5 ? prose() : pick(["\n", " ", "user", "assistant"])).join(random() < 0.5 ? "" : " ");
}

const scripts = ["مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Привет, мир", "Γειά σου Κόσμε",
  "გამარჯობა", "Բարեւ", "ሰላም", "வணக்கம்", "ᚠᛇᚻ", "∀x∈ℝ: x²≥0", "→ ⇒ ∞ ≈ ≠ ∑ ∫", "e\u0301te\u0301", "n\u0303", "a\u0308\u0304",
  "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǵ̗͚̱o̖͖̗", "\u202ehello\u202c", "\ufeffBOM", "ｆｕｌｌｗｉｄｔｈ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟘𝟙𝟚", "\ud800\udc00"];
function mixed() {
  const makers = [prose, accents, cjk, emoji, codeSnippet, whitespace, digits, () => pick(scripts)];
  return repeat(int(2, 5), () => pick(makers)()).join(pick(["", " ", "\n"]));
}

const edges = ["", " ", "  ", "\n", "\t", "'s", "'S", "''", "'", " '", "a", "A", "0", "00", "000", "0000", "  a", " a ",
  "a  ", "\n\n\n", " \n \n ", "\r\n\r\n", "Hello", " Hello", "Hello world", "hello  world", "HELLO", "I'm", "I'M",
  "don't", "DON'T", "you're", "we've", "she'll", "he'd", "abc'def", "1'2", "!!!", "???", "....", "—", "–", "…",
  "\u00a0\u00a0", "\u3000\u3000x", "x\u3000", "😀😀😀", "🇺🇸🇯🇵", "123456789", "1234567890123", "3.14", "-42",
  "<|im_start|>", "<|im_end|>", "<|begin_of_text|>", "<|eot_id|>", "<think>", "<think></think>", "<<|im_start|>>"];

const generators = [[prose, 300], [accents, 250], [cjk, 250], [emoji, 200], [codeSnippet, 200], [whitespace, 200],
  [digits, 200], [special, 200], [mixed, 300]];
const strings = [...edges];
for (const [make, count] of generators) for (let i = 0; i < count; ++i) strings.push(make());
// Lone surrogates cannot be UTF-8; keep only strings that are valid Unicode.
const valid = strings.filter((s) => s.isWellFormed ? s.isWellFormed() : !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "")));
process.stdout.write(JSON.stringify(valid) + "\n");
