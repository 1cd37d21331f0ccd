// The context-window filter's token estimate (src/routing/token_estimate.h) against real
// tokenizers: every prompt of the shared English and code corpora, plus a few other
// scripts written here, goes through `switchyard classify` (its "tokens" member is the
// estimate) and through gpt-tokenizer's o200k_base and cl100k_base encodings. For every
// prompt of at least 50 tokens the estimate must not be below the true count by more than
// 3%, and for English and code it must stay reasonably tight (median at most 1.5× the
// true count). The
// distribution of estimate ÷ true count per corpus is printed as test diagnostics
// (docs/routing.md quotes it).
//
// Data: $SWITCHYARD_SHARED_DATA/routing, else ../shared/data/routing next to the
// repository; skipped with a message when absent. Binary: $SWITCHYARD_BIN_DIR or
// build/release.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { parse } from 'csv-parse/sync';
import * as cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';

const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
const BIN_DIR = process.env.SWITCHYARD_BIN_DIR
  ? path.resolve(process.env.SWITCHYARD_BIN_DIR)
  : path.resolve(E2E_DIR, '../../build/release');
const DATA_DIR = process.env.SWITCHYARD_SHARED_DATA
  ? path.join(process.env.SWITCHYARD_SHARED_DATA, 'routing')
  : path.resolve(E2E_DIR, '../../../shared/data/routing');

const MIN_TOKENS = 50; // shorter prompts are too small for a ratio to mean much
const MAX_UNDER = 0.03; // never low by more than 3%
const MAX_MEDIAN = 1.5; // and not so loose that context windows are wasted

// Text in other scripts, written for this test (translation, summaries, emoji, code with
// comments in several languages).
const OTHER_SCRIPTS = [
  "Bonjour à tous. Pourriez-vous résumer ce rapport en trois phrases ? La réunion de jeudi a été déplacée à vendredi matin, à neuf heures, dans la salle du deuxième étage. Les équipes chargées de la sécurité et de la facturation présenteront leurs résultats du trimestre, puis nous discuterons des priorités pour l'année prochaine. Merci d'envoyer vos questions avant mercredi soir.",
  'Bitte übersetzen Sie den folgenden Absatz ins Englische: Die Straßenbahn fährt während der Bauarbeiten nur bis zum Hauptbahnhof. Fahrgäste, die weiter in die Südstadt möchten, steigen dort in die Ersatzbusse um. Wir bitten um Verständnis für die Unannehmlichkeiten und danken für Ihre Geduld. Größere Gepäckstücke können ausnahmsweise kostenlos mitgenommen werden.',
  'Пожалуйста, кратко перескажите следующий текст. Вчера вечером городской совет утвердил новый бюджет на следующий год. Больше всего средств получат школы, больницы и общественный транспорт, а расходы на ремонт дорог немного сократятся. Жители смогут обсудить документ на открытых слушаниях в конце месяца.',
  'Μπορείτε να μου εξηγήσετε γιατί ο ουρανός είναι μπλε; Το φως του ήλιου σκεδάζεται από τα μόρια του αέρα, και το μπλε χρώμα σκεδάζεται περισσότερο από το κόκκινο επειδή έχει μικρότερο μήκος κύματος. Γι\' αυτό το ηλιοβασίλεμα φαίνεται πορτοκαλί.',
  'من فضلك ترجم الفقرة التالية إلى اللغة الإنجليزية: سيتم إغلاق المكتبة العامة يوم الاثنين المقبل بسبب أعمال الصيانة، وستفتح أبوابها مرة أخرى صباح يوم الثلاثاء. يمكن للأعضاء إعادة الكتب في الصندوق الموجود بجانب المدخل الرئيسي.',
  'אנא סכם את הטקסט הבא בשני משפטים: החברה הודיעה היום על פתיחת משרד חדש בתל אביב, שיעסיק כמאה מהנדסים בתחום הבינה המלאכותית. המנכ"ל אמר כי ההחלטה נובעת מהביקוש הגובר למוצרי החברה באירופה ובאסיה.',
  'कृपया निम्नलिखित अनुच्छेद का सारांश दीजिए: कल शहर में भारी बारिश के कारण कई सड़कों पर पानी भर गया और यातायात धीमा हो गया। नगर निगम ने लोगों से अनुरोध किया है कि वे आवश्यक होने पर ही घर से बाहर निकलें। स्कूल आज बंद रहेंगे।',
  '请把下面这段话翻译成英文：由于天气原因，原定于明天上午举行的户外活动改为在学校礼堂进行。请各位同学按时到场，并携带学生证。活动结束后，学生会将为大家准备简单的午餐。如有疑问，请联系班主任。',
  '次の文章を要約してください。来週の月曜日から、駅前の図書館は改装工事のため一か月間休館します。その間、本の返却は市役所の窓口で受け付けます。ご不便をおかけしますが、ご理解とご協力をお願いいたします。',
  '다음 글을 영어로 번역해 주세요. 이번 주말에는 전국적으로 비가 내릴 것으로 예상됩니다. 특히 남부 지방에는 많은 비가 내릴 수 있으니 외출 시 우산을 꼭 챙기시기 바랍니다. 다음 주부터는 기온이 점차 올라갈 전망입니다.',
  'กรุณาสรุปข้อความต่อไปนี้ ร้านกาแฟแห่งใหม่ในตัวเมืองจะเปิดให้บริการในวันเสาร์นี้ โดยลูกค้าสิบคนแรกจะได้รับเครื่องดื่มฟรี ร้านเปิดทุกวันตั้งแต่เจ็ดโมงเช้าถึงหกโมงเย็น',
  "Rate these reactions for a product launch post 🚀🔥: 😀😀👍 great job team! 🎉🎉🎉 ❤️💯 can't wait 🙌🙌 … but shipping to 🇨🇦 and 🇯🇵 is slow 😕🐢📦. Overall ⭐⭐⭐⭐☆. Which emoji 🤔 best sums it up: 👍, 🎉 or 😕?",
  "// 计算两个数的和 (sum of two numbers)\nfunction somme(a, b) {\n  // Возвращает результат — résultat\n  return a + b; // ✓ fonctionne\n}\nconsole.log(somme(2, 3)); // → 5\nconst größe = '日本語のテキスト';\nconsole.log(`Größe: ${größe.length} Zeichen ✨`);\n",
];

function corpora() {
  const english = [];
  const mmlu = path.join(DATA_DIR, 'mmlu');
  for (const file of fs.readdirSync(mmlu).filter((f) => f.endsWith('.csv')).sort()) {
    for (const row of parse(fs.readFileSync(path.join(mmlu, file)), { columns: true })) {
      english.push(row.prompt); // the question and its choices
    }
  }
  for (const line of fs.readFileSync(path.join(DATA_DIR, 'gsm8k_train.jsonl'), 'utf8').split('\n')) {
    if (line) english.push(JSON.parse(line).question);
  }
  // The healthcare utterances are a sentence each: six at a time make a prompt.
  const care = parse(fs.readFileSync(path.join(DATA_DIR, 'healthcare_routes_train_validation.csv')), {
    columns: true,
  });
  for (let i = 0; i < care.length; i += 6) {
    english.push(care.slice(i, i + 6).map((r) => r.utterance).join('\n'));
  }
  const code = [];
  const humaneval = zlib.gunzipSync(fs.readFileSync(path.join(DATA_DIR, 'HumanEval.jsonl.gz')));
  for (const line of humaneval.toString('utf8').split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line);
    code.push(p.prompt, p.prompt + p.canonical_solution);
  }
  return { english, code, 'other scripts': OTHER_SCRIPTS };
}

// The estimate for each prompt, from `switchyard classify`.
function estimates(prompts) {
  const input = prompts.map((prompt, id) => JSON.stringify({ id, prompt })).join('\n') + '\n';
  const r = spawnSync(path.join(BIN_DIR, 'switchyard'), ['classify'], {
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `switchyard classify failed: ${r.stderr}`);
  const out = new Array(prompts.length);
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const j = JSON.parse(line);
    assert.ok(Number.isInteger(j.tokens), `no "tokens" in ${line}`);
    out[j.id] = j.tokens;
  }
  return out;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

const absent = !fs.existsSync(path.join(DATA_DIR, 'mmlu'))
  ? `shared routing data not found at ${DATA_DIR} (set SWITCHYARD_SHARED_DATA)`
  : !fs.existsSync(path.join(BIN_DIR, 'switchyard'))
    ? `${BIN_DIR}/switchyard not built`
    : false;

test('the token estimate is never low by more than 3% against o200k_base and cl100k_base', { skip: absent }, (t) => {
  const options = { disallowedSpecial: new Set() }; // "<|endoftext|>" in a prompt is text
  for (const [name, prompts] of Object.entries(corpora())) {
    const est = estimates(prompts);
    for (const [encoding, tokenizer] of [['o200k_base', o200k], ['cl100k_base', cl100k]]) {
      const ratios = [];
      let worst = null;
      prompts.forEach((prompt, i) => {
        const truth = tokenizer.countTokens(prompt, options);
        if (truth < MIN_TOKENS) return;
        const ratio = est[i] / truth;
        ratios.push(ratio);
        if (!worst || ratio < worst.ratio) worst = { ratio, truth, estimate: est[i], prompt };
      });
      ratios.sort((a, b) => a - b);
      const median = quantile(ratios, 0.5);
      t.diagnostic(
        `${name}, ${encoding}: ${ratios.length} prompts of ${MIN_TOKENS}+ tokens; estimate ÷ true ` +
          `min ${ratios[0].toFixed(3)}, median ${median.toFixed(3)}, ` +
          `p99 ${quantile(ratios, 0.99).toFixed(3)}, max ${ratios.at(-1).toFixed(3)}`,
      );
      assert.ok(ratios.length >= Math.min(10, prompts.length), `${name}: too few long prompts`);
      assert.ok(
        worst.ratio >= 1 - MAX_UNDER,
        `${name}, ${encoding}: estimate ${worst.estimate} for ${worst.truth} true tokens ` +
          `(${worst.ratio.toFixed(3)}): ${JSON.stringify(worst.prompt.slice(0, 300))}`,
      );
      if (name !== 'other scripts') {
        // (Outside English o200k_base is much cheaper than cl100k_base; the estimate
        // follows the costlier one, so only English and code are held to a median.)
        assert.ok(median <= MAX_MEDIAN, `${name}, ${encoding}: median ${median.toFixed(3)} > ${MAX_MEDIAN}`);
      }
    }
  }
});
