/* langid.cc — language identification: CLD2, then the script.
 *
 * CLD2 is right on sentences (it tells uk from ru from bg, zh from ja) but
 * guesses on a few words. So on text with enough letters the answer is the
 * best of CLD2's top three that is allowed; on shorter text, or when none
 * of the three is allowed, the script decides (Greek is el, kana is ja,
 * Cyrillic goes by its letters). Short Latin text has no script answer:
 * there CLD2's best effort among the allowed languages is taken, never as
 * confident. CLD2 is C++ and thread-safe; nothing is thrown past this file.
 */
#include <cstdio> /* before CLD2's header, which uses FILE unincluded */
#include <cstring>
#include <initializer_list>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

extern "C" {
#include "urbis/lang.h"
#include "urbis/text.h"
}

namespace {

/* Fewer letters than this and CLD2's answer is a guess. */
constexpr int kMinLetters = 40;
/* The start of a long text decides; CLD2 takes an int length anyway. */
constexpr size_t kMaxBytes = 32 * 1024;
/* Hints for at most this many allowed languages. */
constexpr int kMaxHints = 16;

/* Letters of the text by script, and the Cyrillic letters that tell
 * Ukrainian, Russian, Bulgarian and Serbian apart. */
struct Letters {
    int total = 0;
    int script[URB_SCRIPT_DIGIT + 1] = {};
    int tamil = 0;
    int cyr_uk = 0;   /* і ї є ґ */
    int cyr_ru = 0;   /* ы э ё */
    int cyr_hard = 0; /* ъ: a vowel in Bulgarian, rare in Russian */
    int cyr_sr = 0;   /* ђ ј љ њ ћ џ */
};

void count_cyrillic(Letters &l, int32_t cp)
{
    if (cp >= 0x0400 && cp < 0x0430)
        cp += cp < 0x0410 ? 0x50 : 0x20; /* to lower case */
    else if (cp == 0x0490)
        cp = 0x0491;
    switch (cp) {
    case 0x0456: case 0x0457: case 0x0454: case 0x0491:
        l.cyr_uk++;
        break;
    case 0x044B: case 0x044D: case 0x0451:
        l.cyr_ru++;
        break;
    case 0x044A:
        l.cyr_hard++;
        break;
    case 0x0452: case 0x0458: case 0x0459: case 0x045A: case 0x045B:
    case 0x045F:
        l.cyr_sr++;
        break;
    default:
        break;
    }
}

Letters count_letters(const char *s, size_t len)
{
    Letters l;
    const char *end = s + len;
    while (s < end) {
        int32_t cp;
        s += urb_utf8_decode(s, (size_t)(end - s), &cp);
        if (cp >= 0x0B80 && cp <= 0x0BFF) { /* urb_script_of has no Tamil */
            l.tamil++;
            l.total++;
            continue;
        }
        urb_script_t sc = urb_script_of(cp);
        if (sc == URB_SCRIPT_OTHER || sc == URB_SCRIPT_DIGIT)
            continue;
        l.script[sc]++;
        l.total++;
        if (sc == URB_SCRIPT_CYRILLIC)
            count_cyrillic(l, cp);
    }
    return l;
}

bool allows(const char *const *allowed, const char *code)
{
    if (!allowed)
        return true;
    for (; *allowed; allowed++)
        if (std::strcmp(*allowed, code) == 0)
            return true;
    return false;
}

/* The languages the text's script may be written in, likeliest first;
 * *decisive when letters settle it (kana; Ukrainian, Russian or Serbian
 * letters). Latin and unknown scripts give none. */
int script_candidates(const Letters &l, const char **out, bool *decisive)
{
    *decisive = false;
    int best = URB_SCRIPT_OTHER, most = l.tamil;
    for (int sc = URB_SCRIPT_LATIN; sc < URB_SCRIPT_DIGIT; sc++)
        if (l.script[sc] > most) {
            best = sc;
            most = l.script[sc];
        }
    int kana = l.script[URB_SCRIPT_HIRAGANA] + l.script[URB_SCRIPT_KATAKANA];
    int n = 0;
    if (most == 0)
        return 0;
    if (best == URB_SCRIPT_OTHER) {
        out[n++] = "ta";
        return n;
    }
    switch (best) {
    case URB_SCRIPT_GREEK:
        out[n++] = "el";
        break;
    case URB_SCRIPT_ARMENIAN:
        out[n++] = "hy";
        break;
    case URB_SCRIPT_HEBREW:
        out[n++] = "he";
        out[n++] = "yi";
        break;
    case URB_SCRIPT_ARABIC:
        out[n++] = "ar";
        out[n++] = "fa";
        break;
    case URB_SCRIPT_DEVANAGARI:
        out[n++] = "hi";
        out[n++] = "ne";
        break;
    case URB_SCRIPT_THAI:
        out[n++] = "th";
        break;
    case URB_SCRIPT_HANGUL:
        out[n++] = "ko";
        break;
    case URB_SCRIPT_HIRAGANA:
    case URB_SCRIPT_KATAKANA:
        out[n++] = "ja";
        *decisive = true;
        break;
    case URB_SCRIPT_HAN:
        /* Japanese mixes kana into its kanji; Chinese has none. */
        out[n++] = kana ? "ja" : "zh";
        out[n++] = kana ? "zh" : "ja";
        *decisive = kana > 0;
        break;
    case URB_SCRIPT_CYRILLIC: {
        int cyr = l.script[URB_SCRIPT_CYRILLIC];
        bool bg = l.cyr_ru == 0 && l.cyr_hard * 200 >= cyr && l.cyr_hard > 0;
        *decisive = l.cyr_sr || l.cyr_uk || l.cyr_ru;
        const char *first = l.cyr_sr   ? "sr"
                            : l.cyr_uk ? "uk"
                            : bg       ? "bg"
                                       : "ru";
        out[n++] = first;
        for (const char *c : {"ru", "uk", "bg", "sr"})
            if (std::strcmp(c, first) != 0)
                out[n++] = c;
        break;
    }
    default:
        break;
    }
    return n;
}

/* "en,es,..." from the allowed codes, for CLD2 to favour them. */
void hint_list(const char *const *allowed, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; allowed && allowed[i] && i < kMaxHints; i++) {
        size_t n = std::strlen(allowed[i]);
        if (used + n + 2 > size)
            break;
        if (used)
            buf[used++] = ',';
        std::memcpy(buf + used, allowed[i], n + 1);
        used += n;
    }
}

const char *detect(const char *text, size_t len, const char *const *allowed,
                   bool *confident)
{
    *confident = false;
    if (len > kMaxBytes) {
        len = kMaxBytes;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    size_t bad;
    if (!urb_utf8_valid(text, len, &bad))
        len = bad;
    Letters letters = count_letters(text, len);
    if (letters.total == 0)
        return nullptr;
    bool shortish = letters.total < kMinLetters;

    /* The script settles it: one language writes it, or its letters tell
     * (short text only: CLD2 knows better on sentences). */
    const char *cand[8];
    bool decisive;
    int ncand = script_candidates(letters, cand, &decisive);
    if (ncand == 1 || (shortish && decisive)) {
        const char *pick = nullptr;
        int fits = 0;
        for (int i = 0; i < ncand; i++)
            if (allows(allowed, cand[i]) && urb_lang_known(cand[i]) &&
                fits++ == 0)
                pick = cand[i];
        if (pick) {
            *confident = fits == 1;
            return urb_lang_code(pick);
        }
    }

    char hints[kMaxHints * 4];
    hint_list(allowed, hints, sizeof hints);
    CLD2::CLDHints cld_hints = {hints[0] ? hints : nullptr, nullptr,
                                CLD2::UNKNOWN_ENCODING,
                                CLD2::UNKNOWN_LANGUAGE};
    CLD2::Language lang3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
                               CLD2::UNKNOWN_LANGUAGE};
    int percent3[3], text_bytes, valid_prefix;
    double score3[3];
    bool reliable = false;
    CLD2::ExtDetectLanguageSummaryCheckUTF8(
        text, (int)len, true, &cld_hints,
        shortish ? CLD2::kCLDFlagBestEffort : 0, lang3, percent3, score3,
        nullptr, &text_bytes, &reliable, &valid_prefix);
    for (int i = 0; i < 3; i++) {
        if (lang3[i] == CLD2::UNKNOWN_LANGUAGE)
            continue;
        const char *code = urb_lang_code(CLD2::LanguageCode(lang3[i]));
        if (!code || !allows(allowed, code))
            continue;
        /* On a non-Latin script, only a language written in it. */
        bool fits_script = ncand == 0;
        for (int k = 0; k < ncand && !fits_script; k++)
            fits_script = std::strcmp(cand[k], code) == 0;
        if (fits_script) {
            *confident = !shortish && reliable && i == 0;
            return code;
        }
    }
    /* CLD2 found nothing allowed: the script's likeliest allowed one. */
    for (int i = 0; i < ncand; i++)
        if (allows(allowed, cand[i]) && urb_lang_known(cand[i]))
            return urb_lang_code(cand[i]);
    return nullptr;
}

} // namespace

extern "C" const char *urb_lang_detect(const char *text, size_t len,
                                       const char *const *allowed,
                                       bool *confident)
{
    bool sure = false;
    const char *code = nullptr;
    try {
        code = detect(text, len, allowed, &sure);
    } catch (...) {
        code = nullptr;
        sure = false;
    }
    if (confident)
        *confident = sure;
    return code;
}
