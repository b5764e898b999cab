/* Language identification: sentences in 25 languages, the allowed list on
 * short text, the script fallback, and text with no language. */
#include "test.h"
#include "urbis/lang.h"

static const struct {
    const char *code, *text;
} sentences[] = {
    {"en",
     "The city council adopted a new strategy to welcome refugees and "
     "help them find housing and work. Local associations run language "
     "courses for newcomers every week."},
    {"es",
     "El ayuntamiento aprobó un plan para acoger a las personas "
     "refugiadas y facilitar su acceso a la vivienda y al empleo. Las "
     "asociaciones del barrio organizan clases de idiomas cada semana."},
    {"pt",
     "A câmara municipal aprovou uma estratégia para acolher refugiados "
     "e ajudá-los a encontrar habitação e trabalho. As associações "
     "locais organizam aulas de português todas as semanas."},
    {"fr",
     "Le conseil municipal a adopté une nouvelle stratégie pour "
     "accueillir les réfugiés et les aider à trouver un logement et un "
     "emploi. Les associations locales proposent des cours de langue "
     "chaque semaine."},
    {"ca",
     "L'ajuntament ha aprovat una estratègia per acollir les persones "
     "refugiades i ajudar-les a trobar habitatge i feina. Les entitats "
     "del barri organitzen classes de català cada setmana."},
    {"it",
     "Il consiglio comunale ha approvato una nuova strategia per "
     "accogliere i rifugiati e aiutarli a trovare casa e lavoro. Le "
     "associazioni locali organizzano corsi di lingua ogni settimana."},
    {"de",
     "Der Stadtrat hat eine neue Strategie beschlossen, um Geflüchtete "
     "aufzunehmen und ihnen bei der Suche nach Wohnung und Arbeit zu "
     "helfen. Lokale Vereine bieten jede Woche Sprachkurse an."},
    {"nl",
     "De gemeenteraad heeft een nieuwe strategie aangenomen om "
     "vluchtelingen op te vangen en hen te helpen bij het vinden van een"
     " woning en werk. Lokale verenigingen geven elke week taallessen."},
    {"sv",
     "Kommunfullmäktige har antagit en ny strategi för att ta emot "
     "flyktingar och hjälpa dem att hitta bostad och arbete. Lokala "
     "föreningar ordnar språkkurser varje vecka."},
    {"da",
     "Byrådet har vedtaget en ny strategi for at tage imod flygtninge og"
     " hjælpe dem med at finde bolig og arbejde. Lokale foreninger "
     "holder sprogkurser hver uge."},
    {"fi",
     "Kaupunginvaltuusto hyväksyi uuden strategian pakolaisten "
     "vastaanottamiseksi ja heidän auttamisekseen asunnon ja työn "
     "löytämisessä. Paikalliset yhdistykset järjestävät kielikursseja "
     "joka viikko."},
    {"pl",
     "Rada miasta przyjęła nową strategię przyjmowania uchodźców i "
     "pomocy w znalezieniu mieszkania oraz pracy. Lokalne stowarzyszenia"
     " prowadzą co tydzień kursy języka polskiego."},
    {"ro",
     "Consiliul local a adoptat o nouă strategie pentru primirea "
     "refugiaților și pentru a-i ajuta să găsească locuințe și locuri de"
     " muncă. Asociațiile locale organizează săptămânal cursuri de "
     "limbă."},
    {"hu",
     "A városi közgyűlés új stratégiát fogadott el a menekültek "
     "befogadására, hogy segítsen nekik lakást és munkát találni. A "
     "helyi egyesületek minden héten nyelvtanfolyamokat szerveznek."},
    {"tr",
     "Belediye meclisi mültecileri kabul etmek ve onlara konut ve iş "
     "bulmalarında yardımcı olmak için yeni bir strateji kabul etti. "
     "Yerel dernekler her hafta dil kursları düzenliyor."},
    {"el",
     "Το δημοτικό συμβούλιο ενέκρινε μια νέα στρατηγική για την υποδοχή "
     "των προσφύγων και τη βοήθειά τους να βρουν στέγη και εργασία. Οι "
     "τοπικοί σύλλογοι οργανώνουν μαθήματα γλώσσας κάθε εβδομάδα."},
    {"ru",
     "Городской совет принял новую стратегию приёма беженцев и помощи им"
     " в поиске жилья и работы. Местные общественные организации каждую "
     "неделю проводят языковые курсы."},
    {"uk",
     "Міська рада ухвалила нову стратегію прийому біженців і допомоги їм"
     " у пошуку житла та роботи. Місцеві громадські організації щотижня "
     "проводять мовні курси."},
    {"bg",
     "Общинският съвет прие нова стратегия за приемане на бежанци и за "
     "подкрепа при търсенето на жилище и работа. Местните сдружения "
     "организират езикови курсове всяка седмица."},
    {"ar",
     "اعتمد المجلس البلدي استراتيجية جديدة لاستقبال اللاجئين ومساعدتهم "
     "في العثور على السكن والعمل. وتنظم الجمعيات المحلية دروسا في اللغة "
     "كل أسبوع."},
    {"he",
     "מועצת העיר אישרה אסטרטגיה חדשה לקליטת פליטים ולסיוע להם במציאת "
     "דיור ועבודה. עמותות מקומיות מקיימות שיעורי שפה בכל שבוע."},
    {"zh",
     "市议会通过了一项接收难民的新战略，帮助他们寻找住房和工作。当"
     "地协会每周都组织语言课程。"},
    {"ja",
     "市議会は難民を受け入れ、住宅や仕事を見つける手助けをするため"
     "の新しい戦略を採択しました。地元の団体は毎週語学講座を開いて"
     "います。"},
    {"ko",
     "시의회는 난민을 받아들이고 그들이 주거와 일자리를 찾도록 "
     "돕기 위한 새로운 전략을 채택했습니다. 지역 단체들은 매주 "
     "언어 강좌를 운영합니다."},
    {"th",
     "สภาเมืองได้อนุมัติยุทธศาสตร์ใหม่เพื่อต้อนรับผู้ลี้ภัย"
     "และช่วยให้พวกเขาหาที่อยู่อาศัยและงานทำ"
     " สมาคมท้องถิ่นจัดชั้นเรียนภาษาทุกสัปดาห์"},
};

static const char *detect(const char *text, const char *const *allowed,
                          bool *confident)
{
    return urb_lang_detect(text, strlen(text), allowed, confident);
}

static void sentences_right(void)
{
    for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++) {
        bool sure = false;
        const char *got = detect(sentences[i].text, NULL, &sure);
        if (!got || strcmp(got, sentences[i].code) != 0) {
            fprintf(stderr, "%s sentence detected as %s\n",
                    sentences[i].code, got ? got : "(null)");
            urb_test_failed_checks++;
        }
        CHECK(sure);
    }
}

/* Two kinds of Chinese, Norwegian and Hebrew come back as our codes. */
static void codes_normalised(void)
{
    CHECK_STR(detect("這是一個歡迎難民的城市，市政府為新移民提供"
                     "住房、工作和語言課程。當地協會每週都舉辦活動。",
                     NULL, NULL),
              "zh");
    CHECK_STR(detect("Bystyret har vedtatt en ny strategi for å ta imot "
                     "flyktninger og hjelpe dem med å finne bolig og arbeid. "
                     "Lokale foreninger holder språkkurs hver uke.",
                     NULL, NULL),
              "no");
}

static void allowed_on_short_text(void)
{
    static const char *const es_pt[] = {"es", "pt", NULL};
    static const char *const en_de[] = {"en", "de", NULL};
    static const char *const ru_uk_bg[] = {"ru", "uk", "bg", NULL};
    static const char *const ru_bg[] = {"ru", "bg", NULL};
    static const char *const zh_ja[] = {"zh", "ja", NULL};
    static const char *const ja_en[] = {"ja", "en", NULL};
    static const char *const el_en[] = {"el", "en", NULL};
    static const char *const en_only[] = {"en", NULL};
    bool sure = true;

    const char *got = detect("vivienda para refugiados", es_pt, &sure);
    CHECK(got && (strcmp(got, "es") == 0 || strcmp(got, "pt") == 0));
    CHECK(!sure);
    got = detect("Wohnungen für Geflüchtete", en_de, NULL);
    CHECK_STR(got, "de");
    /* Cyrillic by its letters. */
    CHECK_STR(detect("житло для біженців", ru_uk_bg, NULL), "uk");
    CHECK_STR(detect("жильё для беженцев", ru_uk_bg, NULL), "ru");
    CHECK_STR(detect("съвет на бежанците в Пловдив", ru_uk_bg, NULL), "bg");
    /* Ukrainian letters, but Ukrainian is not allowed. */
    CHECK_STR(detect("житло для біженців", ru_bg, NULL), "ru");
    /* Han alone is Chinese unless only Japanese is allowed; kana is
     * Japanese. */
    CHECK_STR(detect("难民住房", zh_ja, NULL), "zh");
    CHECK_STR(detect("難民住宅", ja_en, NULL), "ja");
    CHECK_STR(detect("なんみんのじゅうたく", zh_ja, NULL), "ja");
    /* One-language scripts are sure even on one word. */
    CHECK_STR(detect("πρόσφυγες", el_en, &sure), "el");
    CHECK(sure);
    CHECK_STR(detect("πρόσφυγες", NULL, &sure), "el");
    CHECK_STR(detect("난민 주거", NULL, NULL), "ko");
    CHECK_STR(detect("ผู้ลี้ภัย", NULL, NULL), "th");
    CHECK_STR(detect("פליטים", NULL, NULL), "he");
    CHECK_STR(detect("اللاجئين", NULL, NULL), "ar");
    /* A script nothing allowed is written in. */
    CHECK(detect("πρόσφυγες", en_only, NULL) == NULL);
    /* A long text in a language not allowed: nothing rather than a wrong
     * language... */
    CHECK(detect(sentences[1].text, en_de, NULL) == NULL);
    /* ...but among the allowed, the right one wins. */
    CHECK_STR(detect(sentences[1].text, es_pt, &sure), "es");
    CHECK(sure);
}

static void no_language(void)
{
    bool sure = true;
    CHECK(detect("", NULL, &sure) == NULL);
    CHECK(!sure);
    CHECK(detect("12345 67 -- 2023/2024 !!!", NULL, &sure) == NULL);
    CHECK(urb_lang_detect(NULL, 0, NULL, NULL) == NULL);
    /* Invalid UTF-8 is read up to its first bad byte. */
    char bad[200];
    snprintf(bad, sizeof bad, "%s\xff\xfe rest", sentences[0].text);
    CHECK_STR(detect(bad, NULL, NULL), "en");
    CHECK(detect("\xff\xfe\xfd", NULL, NULL) == NULL);
}

/* A long text: only its start is read, and it is read fast. */
static void long_text(void)
{
    size_t one = strlen(sentences[3].text), n = 4000;
    char *big = malloc(n * (one + 1));
    CHECK(big != NULL);
    if (!big)
        return;
    for (size_t i = 0; i < n; i++) {
        memcpy(big + i * (one + 1), sentences[3].text, one);
        big[i * (one + 1) + one] = ' ';
    }
    big[n * (one + 1) - 1] = '\0';
    CHECK_STR(detect(big, NULL, NULL), "fr");
    free(big);
}

URB_TEST_MAIN(T(sentences_right), T(codes_normalised),
              T(allowed_on_short_text), T(no_language), T(long_text))
