/* lang_stopwords.c — function words of each language, folded.
 *
 * Short lists on purpose (a stopword list that holds real words deletes
 * them from queries): articles, prepositions, conjunctions, pronouns, the
 * commonest forms of "be" and "have", and the stubs that the tokenizer
 * leaves of elisions (l', d', 's). Taken from the Snowball project's lists
 * where it has one, cut down to function words. A word whose folded form
 * is also a content word is left out: Portuguese são (São Paulo), French
 * été (summer), Romanian mai (May), Serbian što (sto, a hundred).
 * Each list is sorted by bytes for bsearch; tests/lang checks that every
 * list is sorted, unique and folded.
 */
#include "urbis/lang.h"
#include "urbis/text.h"

#include <stdlib.h>
#include <string.h>

/* Arabic */
static const char *const stop_ar[] = {
    "اذا", "التي", "الذي", "الذين", "اللذين", "الى", "ان", "انا", "انت",
    "انتم", "او", "اي", "ايضا", "بعد", "بل", "به", "بها", "بين", "تكون", "تلك",
    "ثم", "حتى", "حيث", "خلال", "ذلك", "ضمن", "على", "عليه", "عليها", "عن",
    "عند", "غير", "فقط", "في", "فيه", "فيها", "قبل", "قد", "كان", "كانت", "كل",
    "كما", "لا", "لكن", "لم", "لن", "له", "لها", "لهم", "ما", "مع", "من",
    "منذ", "منه", "منها", "نحن", "هذا", "هذه", "هم", "هن", "هو", "هولاء", "هي",
    "و", "يكون",
};

/* Bulgarian */
static const char *const stop_bg[] = {
    "а", "аз", "бе", "без", "беше", "би", "бяха", "в", "вече", "вие", "във",
    "ги", "го", "да", "до", "е", "за", "и", "или", "им", "има", "като",
    "което", "които", "който", "която", "към", "ли", "между", "му", "на", "не",
    "ние", "нито", "но", "няма", "обаче", "от", "още", "по", "през", "при",
    "с", "са", "се", "си", "след", "сме", "сте", "съм", "със", "също", "тази",
    "те", "тези", "ти", "то", "това", "този", "той", "тя", "че", "чрез", "ще",
    "я",
};

/* Catalan */
static const char *const stop_ca[] = {
    "a", "al", "als", "amb", "aquell", "aquella", "aquelles", "aquells",
    "aquest", "aquesta", "aquestes", "aquests", "com", "d", "de", "del",
    "dels", "des", "el", "els", "en", "ens", "entre", "era", "eren", "es",
    "fins", "ha", "han", "he", "hem", "hi", "ho", "i", "ja", "l", "la", "les",
    "li", "lo", "m", "meu", "meva", "molt", "n", "ni", "no", "nostra",
    "nostre", "o", "pel", "pels", "per", "pero", "que", "qui", "s", "se",
    "sense", "seu", "seus", "seva", "seves", "si", "sobre", "son", "t",
    "tambe", "tot", "totes", "tots", "un", "una", "unes", "uns", "us",
    "vostre",
};

/* Danish */
static const char *const stop_da[] = {
    "ad", "af", "alle", "alt", "at", "blev", "blive", "bliver", "da", "de",
    "dem", "den", "denne", "der", "deres", "det", "dette", "dig", "din",
    "disse", "dog", "du", "efter", "eller", "en", "end", "er", "et", "for",
    "fra", "ham", "han", "hans", "har", "havde", "have", "hende", "hendes",
    "her", "hos", "hun", "hvad", "hvis", "hvor", "i", "ikke", "ind", "jeg",
    "jer", "jo", "kunne", "man", "mange", "med", "meget", "men", "mig", "min",
    "mine", "mit", "mod", "nar", "ned", "noget", "nogle", "nu", "og", "ogsa",
    "om", "op", "os", "over", "pa", "sadan", "selv", "sig", "sin", "sine",
    "sit", "skal", "skulle", "som", "thi", "til", "ud", "under", "vaere",
    "vaeret", "var", "vi", "vil", "ville", "vor",
};

/* German */
static const char *const stop_de[] = {
    "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis",
    "bist", "da", "damit", "dann", "das", "dass", "dem", "den", "denn", "der",
    "des", "dessen", "die", "dies", "diese", "diesem", "diesen", "dieser",
    "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen",
    "einer", "eines", "er", "es", "fur", "gegen", "hat", "hatte", "hatten",
    "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer",
    "im", "in", "ins", "ist", "jedoch", "man", "mit", "nach", "nicht", "noch",
    "nur", "ob", "oder", "ohne", "sein", "seine", "seinem", "seinen", "seiner",
    "sich", "sie", "sind", "so", "sondern", "uber", "um", "und", "uns",
    "unser", "unsere", "unter", "vom", "von", "vor", "war", "waren", "was",
    "weil", "welche", "welcher", "welches", "wenn", "werden", "wie", "wir",
    "wird", "wurde", "wurden", "zu", "zum", "zur", "zwischen",
};

/* Greek */
static const char *const stop_el[] = {
    "αλλα", "αν", "απο", "αυτα", "αυτεσ", "αυτη", "αυτο", "αυτοι", "αυτοσ",
    "αυτων", "για", "δε", "δεν", "εαν", "ειναι", "ενα", "ενασ", "επισησ", "η",
    "ηταν", "θα", "και", "κατα", "μασ", "με", "μετα", "μη", "μην", "μια",
    "μου", "να", "ο", "οι", "οποια", "οποιεσ", "οποιο", "οποιοι", "οποιοσ",
    "οποιων", "οπωσ", "οταν", "οτι", "που", "προσ", "πωσ", "σασ", "σε", "σου",
    "στα", "στη", "στην", "στισ", "στο", "στον", "στουσ", "τα", "την", "τησ",
    "τισ", "το", "τον", "του", "τουσ", "των", "χωρισ", "ωσ",
};

/* English */
static const char *const stop_en[] = {
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "between", "both",
    "but", "by", "can", "could", "d", "did", "do", "does", "doing", "during",
    "each", "for", "from", "had", "has", "have", "having", "he", "her", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "ll", "m", "me", "my", "myself", "no", "nor", "not",
    "of", "on", "or", "our", "ours", "ourselves", "re", "s", "she", "should",
    "so", "some", "such", "t", "than", "that", "the", "their", "theirs",
    "them", "themselves", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "ve", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you",
    "your", "yours", "yourself", "yourselves",
};

/* Spanish */
static const char *const stop_es[] = {
    "a", "al", "ante", "como", "con", "contra", "cual", "cuales", "cuando",
    "de", "del", "desde", "donde", "durante", "e", "el", "ella", "ellas",
    "ellos", "en", "entre", "era", "eran", "es", "esa", "esas", "ese", "eso",
    "esos", "esta", "estan", "estas", "este", "esto", "estos", "fue", "fueron",
    "ha", "han", "hasta", "hay", "la", "las", "le", "les", "lo", "los", "mas",
    "me", "mi", "mis", "muy", "ni", "no", "nos", "nosotros", "nuestra",
    "nuestras", "nuestro", "nuestros", "o", "os", "para", "pero", "por",
    "porque", "que", "quien", "quienes", "se", "sea", "ser", "sido", "sin",
    "sobre", "son", "su", "sus", "tambien", "te", "tu", "tus", "un", "una",
    "unas", "uno", "unos", "y", "ya", "yo",
};

/* Basque */
static const char *const stop_eu[] = {
    "ala", "arte", "baina", "baino", "baita", "bat", "bere", "beren", "beste",
    "bezala", "da", "dira", "du", "dute", "edo", "ere", "eta", "ez", "gabe",
    "gu", "gure", "haiek", "hark", "hau", "honek", "hori", "horrek", "hura",
    "izan", "nahiz", "ni", "non", "zein", "zen", "ziren", "zu", "zuek", "zuen",
};

/* Finnish */
static const char *const stop_fi[] = {
    "ei", "eika", "etta", "han", "he", "ja", "jo", "joka", "jos", "jotka",
    "kanssa", "kuin", "kun", "me", "mika", "mina", "mita", "mukaan", "mutta",
    "myos", "nama", "ne", "niiden", "niin", "nyt", "ole", "oli", "olivat",
    "olla", "ollut", "on", "ovat", "se", "seka", "sen", "siina", "siita",
    "silla", "sina", "sita", "tai", "tama", "taman", "te", "vain",
};

/* French */
static const char *const stop_fr[] = {
    "a", "au", "aux", "avec", "c", "ce", "ces", "cet", "cette", "d", "dans",
    "de", "des", "du", "elle", "elles", "en", "est", "et", "il", "ils", "j",
    "je", "l", "la", "le", "les", "leur", "leurs", "lui", "m", "ma", "mais",
    "me", "mes", "moi", "mon", "n", "ne", "ni", "nos", "notre", "nous", "on",
    "ont", "ou", "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se",
    "ses", "son", "sont", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu",
    "un", "une", "vos", "votre", "vous", "y",
};

/* Irish */
static const char *const stop_ga[] = {
    "a", "ach", "ag", "agus", "an", "ar", "bhi", "bhur", "chun", "de", "do",
    "faoi", "go", "gur", "i", "in", "ina", "is", "le", "leis", "mar", "me",
    "mo", "muid", "na", "nach", "ni", "no", "o", "se", "seo", "si", "siad",
    "sin", "ta", "tu",
};

/* Hindi */
static const char *const stop_hi[] = {
    "अपना", "अपनी", "अपने", "आप", "इन", "इस", "उन", "उस", "एक", "और", "कर",
    "करने", "का", "कि", "किया", "की", "के", "को", "गया", "जो", "तक", "तो",
    "था", "थी", "थे", "द्वारा", "नहीं", "ने", "पर", "भी", "में", "मैं", "यह",
    "या", "लिए", "वह", "वे", "साथ", "से", "हम", "है", "हैं", "हो", "होता",
    "होती", "होते",
};

/* Hungarian */
static const char *const stop_hu[] = {
    "a", "ahol", "aki", "akik", "alatt", "altal", "amely", "amelyek", "ami",
    "amikor", "az", "azt", "csak", "de", "egy", "elott", "en", "es", "ez",
    "ezt", "felett", "ha", "hogy", "is", "kell", "kozott", "lesz", "mar",
    "meg", "mert", "mi", "mint", "neki", "nekik", "nem", "o", "ok", "pedig",
    "szerint", "te", "ti", "utan", "vagy", "van", "vannak", "volt",
};

/* Armenian */
static const char *const stop_hy[] = {
    "այդ", "այն", "այս", "բայց", "դու", "դուք", "եթե", "են", "ես", "եւ", "է",
    "էին", "էր", "թե", "իր", "իրենց", "կամ", "համար", "հետ", "մասին", "մենք",
    "մեջ", "մի", "նա", "նաեւ", "նրանք", "ոչ", "որ", "որը", "որոնք", "ու", "չի",
    "վրա",
};

/* Indonesian */
static const char *const stop_id[] = {
    "ada", "adalah", "akan", "anda", "antara", "atau", "bahwa", "bisa",
    "dalam", "dan", "dapat", "dari", "dengan", "di", "dia", "ia", "ini", "itu",
    "juga", "kami", "karena", "ke", "kita", "mereka", "oleh", "pada", "para",
    "saya", "sebagai", "secara", "sudah", "telah", "tersebut", "tidak",
    "untuk", "yang",
};

/* Italian */
static const char *const stop_it[] = {
    "a", "ad", "agli", "ai", "al", "all", "alla", "alle", "allo", "anche", "c",
    "che", "chi", "ci", "col", "come", "con", "cui", "da", "dagli", "dai",
    "dal", "dall", "dalla", "dalle", "dallo", "degli", "dei", "del", "dell",
    "della", "delle", "dello", "di", "dove", "e", "ed", "era", "erano", "gli",
    "ha", "hanno", "ho", "i", "il", "in", "io", "l", "la", "le", "lei", "li",
    "lo", "loro", "lui", "ma", "mi", "mia", "mie", "miei", "mio", "ne",
    "negli", "nei", "nel", "nell", "nella", "nelle", "nello", "noi", "non",
    "nostra", "nostre", "nostri", "nostro", "o", "per", "perche", "piu",
    "quale", "quella", "quelle", "quelli", "quello", "questa", "queste",
    "questi", "questo", "se", "si", "sia", "siamo", "sono", "su", "sua", "sue",
    "sui", "sul", "sull", "sulla", "sulle", "sullo", "suo", "suoi", "tra",
    "un", "una", "uno", "voi",
};

/* Lithuanian */
static const char *const stop_lt[] = {
    "ant", "apie", "ar", "arba", "as", "be", "bet", "bus", "buvo", "dar",
    "del", "i", "iki", "ir", "is", "jau", "ji", "jie", "jis", "jo", "jos",
    "ju", "jus", "kad", "kaip", "kuri", "kurie", "kurios", "kuris", "mes",
    "ne", "nuo", "o", "pagal", "per", "po", "prie", "si", "sis", "su", "ta",
    "tai", "taip", "tas", "tik", "tu", "uz", "yra",
};

/* Nepali */
static const char *const stop_ne[] = {
    "उनको", "उनी", "एक", "का", "की", "को", "गरेको", "गर्न", "छ", "छन्",
    "तपाईं", "तर", "त्यो", "थियो", "नै", "पनि", "बाट", "भएको", "भने", "म",
    "मा", "यो", "र", "लाई", "ले", "वा", "हामी", "हुन्छ", "हो",
};

/* Dutch */
static const char *const stop_nl[] = {
    "aan", "al", "als", "bij", "daar", "dan", "dat", "de", "deze", "die",
    "dit", "door", "een", "en", "er", "geen", "haar", "had", "heb", "hebben",
    "heeft", "hem", "het", "hier", "hij", "hoe", "hun", "ik", "in", "is", "je",
    "kan", "maar", "me", "met", "mij", "mijn", "naar", "niet", "nog", "nu",
    "of", "om", "omdat", "onder", "ons", "ook", "op", "over", "te", "tegen",
    "toen", "tot", "u", "uit", "uw", "van", "voor", "want", "waren", "was",
    "wat", "werd", "wie", "wij", "worden", "wordt", "zal", "ze", "zich", "zij",
    "zijn", "zo", "zou",
};

/* Norwegian */
static const char *const stop_no[] = {
    "a", "alle", "at", "av", "bade", "bae", "bare", "begge", "ble", "bli",
    "blir", "blitt", "da", "de", "deg", "dem", "den", "denne", "der", "dere",
    "deres", "det", "dette", "din", "disse", "ditt", "du", "eller", "en",
    "enn", "er", "et", "etter", "for", "fordi", "fra", "ha", "hadde", "han",
    "hans", "har", "her", "hun", "hva", "hvem", "hver", "hvilke", "hvilken",
    "hvis", "hvor", "hvordan", "hvorfor", "i", "ikke", "ingen", "inn", "inni",
    "jeg", "kan", "kunne", "man", "mange", "med", "meg", "meget", "mellom",
    "men", "min", "mitt", "mot", "na", "nar", "ned", "noe", "noen", "og",
    "ogsa", "om", "opp", "oss", "over", "pa", "samme", "sann", "seg", "selv",
    "si", "siden", "sin", "sine", "sitt", "sjol", "skal", "skulle", "slik",
    "som", "til", "ut", "uten", "vaere", "vaert", "var", "ved", "vi", "vil",
    "ville", "vors",
};

/* Polish */
static const char *const stop_pl[] = {
    "a", "ale", "bez", "byc", "byl", "byla", "bylo", "byly", "co", "czy",
    "dla", "do", "gdy", "gdzie", "i", "ich", "jak", "jako", "jednak", "jego",
    "jej", "jesli", "jest", "juz", "ktora", "ktore", "ktorego", "ktory",
    "ktorych", "ktorym", "lub", "miedzy", "na", "nad", "nie", "o", "od",
    "oraz", "po", "pod", "przez", "przy", "sa", "sie", "ta", "tak", "takze",
    "te", "tego", "tej", "ten", "tez", "to", "tylko", "tym", "w", "we", "z",
    "za", "ze",
};

/* Portuguese */
static const char *const stop_pt[] = {
    "a", "ao", "aos", "as", "com", "como", "da", "das", "de", "dela", "dele",
    "deles", "do", "dos", "e", "ela", "elas", "ele", "eles", "em", "entre",
    "era", "essa", "essas", "esse", "esses", "esta", "estao", "estas", "este",
    "estes", "eu", "foi", "foram", "ha", "isso", "isto", "ja", "lhe", "lhes",
    "mais", "mas", "me", "mesmo", "meu", "minha", "muito", "na", "nao", "nas",
    "nem", "no", "nos", "o", "os", "ou", "para", "pela", "pelas", "pelo",
    "pelos", "por", "qual", "quando", "que", "quem", "se", "sem", "ser", "seu",
    "seus", "sua", "suas", "tambem", "te", "tem", "um", "uma", "umas", "uns",
    "voce",
};

/* Romanian */
static const char *const stop_ro[] = {
    "a", "acea", "aceasta", "acei", "acel", "acele", "acest", "aceste",
    "acesti", "ai", "al", "ale", "au", "ca", "care", "ce", "ci", "cu", "dar",
    "de", "despre", "din", "dupa", "ea", "ei", "el", "ele", "era", "este",
    "eu", "fara", "fi", "fost", "iar", "in", "intre", "la", "lor", "lui",
    "noi", "nu", "o", "pana", "pe", "pentru", "prin", "sa", "sale", "sau",
    "se", "si", "spre", "sub", "sunt", "tu", "un", "una", "unei", "unui",
    "voi",
};

/* Russian */
static const char *const stop_ru[] = {
    "а", "без", "будет", "бы", "был", "была", "были", "было", "быть", "в",
    "вам", "вас", "во", "все", "всего", "всех", "всю", "вы", "где", "да",
    "даже", "для", "до", "его", "ее", "ей", "ему", "если", "есть", "еще", "ж",
    "же", "за", "и", "из", "или", "им", "их", "к", "как", "какая", "какой",
    "когда", "кто", "ли", "между", "меня", "мне", "может", "мы", "на", "над",
    "нас", "не", "него", "нее", "ней", "нет", "ни", "ним", "них", "но", "о",
    "об", "он", "она", "они", "от", "перед", "по", "под", "после", "потому",
    "при", "про", "с", "себе", "себя", "со", "так", "также", "такой", "тебя",
    "тем", "то", "того", "тоже", "только", "том", "тот", "ты", "у", "уже",
    "чего", "чем", "через", "что", "чтоб", "чтобы", "эти", "это", "этого",
    "этой", "этом", "этот", "эту", "я",
};

/* Serbian (both scripts) */
static const char *const stop_sr[] = {
    "a", "ali", "bila", "bio", "biti", "da", "do", "i", "ili", "iz", "je",
    "kao", "koja", "koje", "koji", "na", "ne", "o", "od", "po", "sa", "sam",
    "se", "smo", "ste", "su", "to", "u", "za", "а", "али", "била", "био",
    "бити", "да", "до", "за", "и", "из", "или", "као", "која", "које", "који",
    "на", "не", "о", "од", "по", "са", "сам", "се", "смо", "сте", "су", "то",
    "у", "што", "је",
};

/* Swedish */
static const char *const stop_sv[] = {
    "alla", "allt", "an", "ar", "at", "att", "av", "blev", "bli", "blir",
    "blivit", "da", "dar", "de", "dem", "den", "denna", "deras", "dess",
    "dessa", "det", "detta", "dig", "din", "dina", "ditt", "du", "efter", "ej",
    "eller", "en", "er", "era", "ert", "ett", "for", "fran", "ha", "hade",
    "han", "hans", "har", "henne", "hennes", "hon", "honom", "hur", "i",
    "icke", "ingen", "inom", "inte", "jag", "ju", "kan", "kunde", "man", "med",
    "mellan", "men", "mig", "min", "mina", "mitt", "mot", "mycket", "nagon",
    "nagot", "nagra", "nar", "ni", "nu", "och", "om", "oss", "over", "pa",
    "sa", "sadan", "sadana", "sadant", "samma", "sedan", "sig", "sin", "sina",
    "sitt", "sjalv", "skulle", "som", "till", "under", "upp", "ut", "utan",
    "vad", "var", "vara", "varfor", "varit", "varje", "vars", "vart", "vem",
    "vi", "vid", "vilka", "vilkas", "vilken", "vilket",
};

/* Tamil */
static const char *const stop_ta[] = {
    "அது", "அந்த", "அல்லது", "அவர்", "அவர்கள்", "ஆகும்", "இது", "இந்த",
    "இருந்து", "இல்லை", "உடன்", "உள்ள", "என", "என்ற", "என்று", "ஒரு", "நான்",
    "நாம்", "நீங்கள்", "பற்றி", "போன்ற", "மற்றும்", "மேலும்", "வேண்டும்",
};

/* Turkish */
static const char *const stop_tr[] = {
    "ama", "ancak", "ben", "bir", "biz", "bu", "buna", "bunu", "bunun", "cok",
    "da", "daha", "de", "degil", "diye", "en", "gibi", "gore", "hem", "her",
    "icin", "ile", "ise", "kadar", "ki", "mi", "mu", "ne", "o", "olan",
    "olarak", "oldu", "oldugu", "ona", "once", "onlar", "onun", "sen", "sey",
    "siz", "sonra", "uzere", "ve", "veya", "ya",
};

/* Ukrainian */
static const char *const stop_uk[] = {
    "а", "або", "але", "б", "без", "би", "був", "була", "були", "було", "бути",
    "в", "вже", "ви", "вона", "вони", "воно", "від", "він", "де", "для", "до",
    "ж", "же", "з", "за", "зі", "й", "його", "коли", "лише", "ми", "між", "на",
    "над", "не", "по", "при", "про", "під", "після", "свої", "своїх", "свій",
    "себе", "та", "так", "також", "те", "ти", "той", "ті", "тільки", "у", "це",
    "цей", "ця", "ці", "через", "чи", "ще", "що", "щоб", "я", "як", "яка",
    "яке", "який", "які", "є", "і", "із", "їх", "її",
};

/* Yiddish */
static const char *const stop_yi[] = {
    "א", "אבער", "אדער", "אויך", "אויף", "און", "אז", "איז", "איך", "אין",
    "דאס", "די", "דער", "האט", "וואס", "ווי", "זי", "זיך", "מיט", "מיר", "ניט",
    "נישט", "ער", "פון", "צו",
};

typedef struct stoplist {
    const char *code;
    const char *const *words;
    size_t n;
} stoplist_t;

#define STOPLIST(code) {#code, stop_##code, sizeof stop_##code / sizeof(char *)}

/* Sorted by code. */
static const stoplist_t lists[] = {
    STOPLIST(ar), STOPLIST(bg), STOPLIST(ca), STOPLIST(da), STOPLIST(de),
    STOPLIST(el), STOPLIST(en), STOPLIST(es), STOPLIST(eu), STOPLIST(fi),
    STOPLIST(fr), STOPLIST(ga), STOPLIST(hi), STOPLIST(hu), STOPLIST(hy),
    STOPLIST(id), STOPLIST(it), STOPLIST(lt), STOPLIST(ne), STOPLIST(nl),
    STOPLIST(no), STOPLIST(pl), STOPLIST(pt), STOPLIST(ro), STOPLIST(ru),
    STOPLIST(sr), STOPLIST(sv), STOPLIST(ta), STOPLIST(tr), STOPLIST(uk),
    STOPLIST(yi),
};

static int list_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const stoplist_t *)elem)->code);
}

static const stoplist_t *list_find(const char *code)
{
    if (!code)
        return NULL;
    return bsearch(code, lists, sizeof lists / sizeof lists[0],
                   sizeof lists[0], list_cmp);
}

const char *const *urb_stopwords(const char *code, size_t *n)
{
    const stoplist_t *l = list_find(code);
    *n = l ? l->n : 0;
    return l ? l->words : NULL;
}

/* The word to look up: w[0..len), not NUL-terminated. */
typedef struct word_key {
    const char *w;
    size_t len;
} word_key_t;

static int word_cmp(const void *k, const void *elem)
{
    const word_key_t *key = k;
    const char *s = *(const char *const *)elem;
    return urb_bytes_cmp(key->w, key->len, s, strlen(s));
}

bool urb_stopword(const char *code, const char *w, size_t len)
{
    const stoplist_t *l = list_find(code);
    word_key_t key = {w, len};
    return l && bsearch(&key, l->words, l->n, sizeof l->words[0], word_cmp);
}
