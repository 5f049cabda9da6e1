// <relais-help-card> and <relais-quick-exit>: Relais's help card for any web page, with Quick Exit.
//
//   <script type="module" src="https://relais.example/static/relais/help-card.js"></script>
//   <relais-help-card country="FR" language="fr" age="14" category="harassment"></relais-help-card>
//
// No dependency, no build step, no third party: the only request it makes is GET /api/v1/help (and none at
// all when the page gives it the card a report returned, as the `card` property or a child
// <script type="application/json">). Texts in the nine reporter languages (ADR 0041): fr, en, de, nl, es, it,
// pt, pl, sv; a directory text the card only has in English is marked `lang="en"` and "(in English)". Styles: CSS custom properties and
// ::part() (docs/api.md, "Embed the help card"). ADR 0018 explains Quick Exit.

const ORIGIN = new URL(import.meta.url).origin;
const EXIT_URL = "https://www.wikipedia.org/";
const SHIFT_WINDOW_MS = 5000;
const PERSON = ["phone", "sms", "chat", "app", "messaging"];

const TEXTS = {
  en: {
    exit: "Quick exit",
    exitHint: "or press Shift 3 times",
    exit2: "Shift, press 2 more times to exit.",
    exit1: "Shift, press 1 more time to exit.",
    exitExpired: "Quick exit expired.",
    leaving: "Loading.",
    loading: "Loading the help…",
    failed: "The help could not be loaded. If you are in danger right now, call your emergency number (112 in Europe).",
    limited: "The helplines could not be loaded just now. In an emergency, call:",
    emergencyNow: "You are in danger: call now",
    emergencyLater: "In an emergency",
    helplines: "Helplines",
    fallback: "We do not list a helpline for this country yet. Here is help that works everywhere.",
    openUntil: "open until {time}",
    open247: "open 24/7",
    opensToday: "opens at {time}",
    opensTomorrow: "opens tomorrow at {time}",
    opensOn: "opens {day} at {time}",
    closed: "closed for now",
    call: "Call {number}",
    text: "Text {number}",
    free: "free",
    phone: "Phone",
    sms: "Text message",
    chat: "Chat",
    app: "App",
    messaging: "Messaging",
    web: "Website",
    email: "E-mail",
    newTab: "(opens in a new tab)",
    closedLead: "The {name} {when}.",
    until: "Until then you can {action}.",
    doCall: "call {number}",
    doText: "text {number}",
    doWrite: "write to the {name}",
    doVisit: "visit the website of the {name}",
    reporter: "Follow my report",
    reporterHint: "Your private page, to see what happens to your report.",
    defaultCountry: "Help for {country}, the country this platform assumes when it does not know yours.",
    inEnglish: "(in English)",
  },
  fr: {
    exit: "Quitter vite",
    exitHint: "ou appuie 3 fois sur Maj",
    exit2: "Maj : appuie encore 2 fois pour quitter.",
    exit1: "Maj : appuie encore 1 fois pour quitter.",
    exitExpired: "Quitter vite : délai dépassé.",
    leaving: "Chargement.",
    loading: "Chargement de l'aide…",
    failed:
      "L'aide n'a pas pu être chargée. Si tu es en danger maintenant, appelle le numéro d'urgence (le 112 en Europe).",
    limited: "Les lignes d'écoute n'ont pas pu être chargées pour l'instant. En cas d'urgence, appelle :",
    emergencyNow: "Tu es en danger : appelle maintenant",
    emergencyLater: "En cas d'urgence",
    helplines: "Lignes d'écoute",
    fallback:
      "Nous n'avons pas encore de ligne d'écoute pour ce pays. Voici de l'aide qui fonctionne partout.",
    openUntil: "ouvert jusqu'à {time}",
    open247: "ouvert 24 h/24, 7 j/7",
    opensToday: "ouvre à {time}",
    opensTomorrow: "ouvre demain à {time}",
    opensOn: "ouvre {day} à {time}",
    closed: "fermé pour le moment",
    call: "Appeler le {number}",
    text: "Envoyer un SMS au {number}",
    free: "gratuit",
    phone: "Téléphone",
    sms: "SMS",
    chat: "Tchat",
    app: "Application",
    messaging: "Messagerie",
    web: "Site web",
    email: "E-mail",
    newTab: "(s'ouvre dans un nouvel onglet)",
    closedLead: "Le {name} {when}.",
    until: "D'ici là, tu peux {action}.",
    doCall: "appeler le {number}",
    doText: "envoyer un SMS au {number}",
    doWrite: "écrire au {name}",
    doVisit: "aller sur le site du {name}",
    reporter: "Suivre mon signalement",
    reporterHint: "Ta page privée, pour voir ce que devient ton signalement.",
    defaultCountry: "Aide pour ce pays : {country}, celui que la plateforme suppose quand elle ne connaît pas le tien.",
    inEnglish: "(en anglais)",
  },
  de: {
    exit: "Schnell raus",
    exitHint: "oder drücke 3-mal die Umschalttaste",
    exit2: "Umschalttaste: noch 2-mal drücken, um zu gehen.",
    exit1: "Umschalttaste: noch 1-mal drücken, um zu gehen.",
    exitExpired: "Schnell raus: Zeit abgelaufen.",
    leaving: "Wird geladen.",
    loading: "Die Hilfe wird geladen…",
    failed: "Die Hilfe konnte nicht geladen werden. Wenn du gerade in Gefahr bist, ruf den Notruf an (112 in Europa).",
    limited: "Die Beratungsstellen konnten gerade nicht geladen werden. Im Notfall ruf an:",
    emergencyNow: "Du bist in Gefahr: Ruf jetzt an",
    emergencyLater: "Im Notfall",
    helplines: "Beratung und Hilfe",
    fallback: "Für dieses Land haben wir noch keine Beratungsstelle. Hier ist Hilfe, die überall funktioniert.",
    openUntil: "offen bis {time}",
    open247: "rund um die Uhr offen",
    opensToday: "öffnet um {time}",
    opensTomorrow: "öffnet morgen um {time}",
    opensOn: "öffnet am {day} um {time}",
    closed: "gerade geschlossen",
    call: "{number} anrufen",
    text: "SMS an {number}",
    free: "kostenlos",
    phone: "Telefon",
    sms: "SMS",
    chat: "Chat",
    app: "App",
    messaging: "Nachrichten",
    web: "Website",
    email: "E-Mail",
    newTab: "(öffnet in einem neuen Tab)",
    closedLead: "{name}: {when}.",
    until: "Bis dahin kannst du {action}.",
    doCall: "die {number} anrufen",
    doText: "eine SMS an die {number} schicken",
    doWrite: "{name} schreiben",
    doVisit: "die Website von {name} besuchen",
    reporter: "Meine Meldung verfolgen",
    reporterHint: "Deine private Seite: Dort siehst du, was aus deiner Meldung wird.",
    defaultCountry: "Hilfe für: {country}. Dieses Land nimmt die Plattform an, wenn sie deins nicht kennt.",
    inEnglish: "(auf Englisch)",
  },
  nl: {
    exit: "Snel weg",
    exitHint: "of druk 3 keer op Shift",
    exit2: "Shift: druk nog 2 keer om weg te gaan.",
    exit1: "Shift: druk nog 1 keer om weg te gaan.",
    exitExpired: "Snel weg: de tijd is om.",
    leaving: "Bezig met laden.",
    loading: "De hulp wordt geladen…",
    failed: "De hulp kon niet geladen worden. Ben je nu in gevaar? Bel het noodnummer (112 in Europa).",
    limited: "De hulplijnen konden nu niet geladen worden. Bel in een noodgeval:",
    emergencyNow: "Je bent in gevaar: bel nu",
    emergencyLater: "In een noodgeval",
    helplines: "Hulplijnen",
    fallback: "We hebben nog geen hulplijn voor dit land. Hier is hulp die overal werkt.",
    openUntil: "open tot {time}",
    open247: "dag en nacht open",
    opensToday: "gaat om {time} open",
    opensTomorrow: "gaat morgen om {time} open",
    opensOn: "gaat {day} om {time} open",
    closed: "nu gesloten",
    call: "Bel {number}",
    text: "Sms naar {number}",
    free: "gratis",
    phone: "Telefoon",
    sms: "Sms",
    chat: "Chat",
    app: "App",
    messaging: "Berichten",
    web: "Website",
    email: "E-mail",
    newTab: "(opent in een nieuw tabblad)",
    closedLead: "{name} {when}.",
    until: "Tot dan kun je {action}.",
    doCall: "{number} bellen",
    doText: "een sms sturen naar {number}",
    doWrite: "{name} een bericht sturen",
    doVisit: "naar de website van {name} gaan",
    reporter: "Mijn melding volgen",
    reporterHint: "Je eigen pagina, om te zien wat er met je melding gebeurt.",
    defaultCountry: "Hulp voor: {country}. Dat land neemt het platform aan als het jouw land niet kent.",
    inEnglish: "(in het Engels)",
  },
  es: {
    exit: "Salir rápido",
    exitHint: "o pulsa 3 veces Mayús",
    exit2: "Mayús: pulsa 2 veces más para salir.",
    exit1: "Mayús: pulsa 1 vez más para salir.",
    exitExpired: "Salir rápido: se acabó el tiempo.",
    leaving: "Cargando.",
    loading: "Cargando la ayuda…",
    failed: "No se pudo cargar la ayuda. Si estás en peligro ahora mismo, llama al número de emergencias (el 112 en Europa).",
    limited: "Ahora no se pudieron cargar las líneas de ayuda. En una emergencia, llama al:",
    emergencyNow: "Estás en peligro: llama ahora",
    emergencyLater: "En una emergencia",
    helplines: "Líneas de ayuda",
    fallback: "Todavía no tenemos una línea de ayuda para este país. Aquí tienes ayuda que funciona en todas partes.",
    openUntil: "abierto hasta las {time}",
    open247: "abierto las 24 horas, todos los días",
    opensToday: "abre a las {time}",
    opensTomorrow: "abre mañana a las {time}",
    opensOn: "abre el {day} a las {time}",
    closed: "cerrado por ahora",
    call: "Llamar al {number}",
    text: "Enviar un SMS al {number}",
    free: "gratis",
    phone: "Teléfono",
    sms: "SMS",
    chat: "Chat",
    app: "Aplicación",
    messaging: "Mensajes",
    web: "Sitio web",
    email: "Correo",
    newTab: "(se abre en una pestaña nueva)",
    closedLead: "{name} {when}.",
    until: "Mientras tanto puedes {action}.",
    doCall: "llamar al {number}",
    doText: "enviar un SMS al {number}",
    doWrite: "escribir a {name}",
    doVisit: "visitar el sitio web de {name}",
    reporter: "Seguir mi denuncia",
    reporterHint: "Tu página privada, para ver qué pasa con tu denuncia.",
    defaultCountry: "Ayuda para: {country}. Es el país que la plataforma supone cuando no conoce el tuyo.",
    inEnglish: "(en inglés)",
  },
  it: {
    exit: "Esci subito",
    exitHint: "oppure premi 3 volte Maiusc",
    exit2: "Maiusc: premi ancora 2 volte per uscire.",
    exit1: "Maiusc: premi ancora 1 volta per uscire.",
    exitExpired: "Esci subito: tempo scaduto.",
    leaving: "Caricamento.",
    loading: "Caricamento dell'aiuto…",
    failed: "Non è stato possibile caricare l'aiuto. Se sei in pericolo adesso, chiama il numero di emergenza (il 112 in Europa).",
    limited: "Le linee d'ascolto non si sono caricate per ora. In caso di emergenza, chiama:",
    emergencyNow: "Sei in pericolo: chiama adesso",
    emergencyLater: "In caso di emergenza",
    helplines: "Linee d'ascolto",
    fallback: "Non abbiamo ancora una linea d'ascolto per questo Paese. Ecco un aiuto che funziona ovunque.",
    openUntil: "aperto fino alle {time}",
    open247: "aperto 24 ore su 24, tutti i giorni",
    opensToday: "apre alle {time}",
    opensTomorrow: "apre domani alle {time}",
    opensOn: "apre {day} alle {time}",
    closed: "chiuso per ora",
    call: "Chiama il {number}",
    text: "Invia un SMS al {number}",
    free: "gratuito",
    phone: "Telefono",
    sms: "SMS",
    chat: "Chat",
    app: "App",
    messaging: "Messaggi",
    web: "Sito web",
    email: "E-mail",
    newTab: "(si apre in una nuova scheda)",
    closedLead: "{name} {when}.",
    until: "Nel frattempo puoi {action}.",
    doCall: "chiamare il {number}",
    doText: "inviare un SMS al {number}",
    doWrite: "scrivere a {name}",
    doVisit: "andare sul sito di {name}",
    reporter: "Segui la mia segnalazione",
    reporterHint: "La tua pagina privata, per vedere cosa succede alla tua segnalazione.",
    defaultCountry: "Aiuto per: {country}. È il Paese che la piattaforma suppone quando non conosce il tuo.",
    inEnglish: "(in inglese)",
  },
  pt: {
    exit: "Sair rápido",
    exitHint: "ou carrega 3 vezes em Shift",
    exit2: "Shift: carrega mais 2 vezes para sair.",
    exit1: "Shift: carrega mais 1 vez para sair.",
    exitExpired: "Sair rápido: o tempo acabou.",
    leaving: "A carregar.",
    loading: "A carregar a ajuda…",
    failed: "Não foi possível carregar a ajuda. Se estás em perigo agora, liga para o número de emergência (o 112 na Europa).",
    limited: "Não foi possível carregar as linhas de apoio agora. Numa emergência, liga para:",
    emergencyNow: "Estás em perigo: liga agora",
    emergencyLater: "Numa emergência",
    helplines: "Linhas de apoio",
    fallback: "Ainda não temos uma linha de apoio para este país. Aqui está ajuda que funciona em todo o lado.",
    openUntil: "aberto até às {time}",
    open247: "aberto 24 horas por dia, todos os dias",
    opensToday: "abre às {time}",
    opensTomorrow: "abre amanhã às {time}",
    opensOn: "abre {day} às {time}",
    closed: "fechado por agora",
    call: "Ligar para o {number}",
    text: "Enviar SMS para o {number}",
    free: "grátis",
    phone: "Telefone",
    sms: "SMS",
    chat: "Chat",
    app: "Aplicação",
    messaging: "Mensagens",
    web: "Site",
    email: "E-mail",
    newTab: "(abre num novo separador)",
    closedLead: "{name} {when}.",
    until: "Até lá, podes {action}.",
    doCall: "ligar para o {number}",
    doText: "enviar SMS para o {number}",
    doWrite: "escrever para {name}",
    doVisit: "ir ao site de {name}",
    reporter: "Acompanhar a minha denúncia",
    reporterHint: "A tua página privada, para veres o que acontece à tua denúncia.",
    defaultCountry: "Ajuda para: {country}. É o país que a plataforma supõe quando não conhece o teu.",
    inEnglish: "(em inglês)",
  },
  pl: {
    exit: "Szybkie wyjście",
    exitHint: "albo naciśnij 3 razy Shift",
    exit2: "Shift: naciśnij jeszcze 2 razy, żeby wyjść.",
    exit1: "Shift: naciśnij jeszcze 1 raz, żeby wyjść.",
    exitExpired: "Szybkie wyjście: czas minął.",
    leaving: "Ładowanie.",
    loading: "Ładowanie pomocy…",
    failed: "Nie udało się załadować pomocy. Jeśli jesteś teraz w niebezpieczeństwie, zadzwoń pod numer alarmowy (112 w Europie).",
    limited: "Nie udało się teraz załadować linii pomocy. W nagłym wypadku zadzwoń pod:",
    emergencyNow: "Jesteś w niebezpieczeństwie: zadzwoń teraz",
    emergencyLater: "W nagłym wypadku",
    helplines: "Linie pomocy",
    fallback: "Nie mamy jeszcze linii pomocy dla tego kraju. Oto pomoc, która działa wszędzie.",
    openUntil: "czynne do {time}",
    open247: "czynne całą dobę",
    opensToday: "otwiera się o {time}",
    opensTomorrow: "otwiera się jutro o {time}",
    opensOn: "otwiera się o {time} ({day})",
    closed: "na razie zamknięte",
    call: "Zadzwoń pod {number}",
    text: "Wyślij SMS pod {number}",
    free: "bezpłatnie",
    phone: "Telefon",
    sms: "SMS",
    chat: "Czat",
    app: "Aplikacja",
    messaging: "Wiadomości",
    web: "Strona internetowa",
    email: "E-mail",
    newTab: "(otwiera się w nowej karcie)",
    closedLead: "{name}: {when}.",
    until: "Do tego czasu możesz {action}.",
    doCall: "zadzwonić pod {number}",
    doText: "wysłać SMS pod {number}",
    doWrite: "napisać do usługi {name}",
    doVisit: "wejść na stronę usługi {name}",
    reporter: "Śledź moje zgłoszenie",
    reporterHint: "Twoja prywatna strona: zobaczysz na niej, co się dzieje z twoim zgłoszeniem.",
    defaultCountry: "Pomoc dla kraju: {country}. Ten kraj platforma przyjmuje, gdy nie zna twojego.",
    inEnglish: "(po angielsku)",
  },
  sv: {
    exit: "Lämna snabbt",
    exitHint: "eller tryck 3 gånger på Skift",
    exit2: "Skift: tryck 2 gånger till för att lämna.",
    exit1: "Skift: tryck 1 gång till för att lämna.",
    exitExpired: "Lämna snabbt: tiden gick ut.",
    leaving: "Laddar.",
    loading: "Hjälpen laddas…",
    failed: "Hjälpen kunde inte laddas. Om du är i fara just nu, ring nödnumret (112 i Europa).",
    limited: "Stödlinjerna kunde inte laddas just nu. Vid en nödsituation, ring:",
    emergencyNow: "Du är i fara: ring nu",
    emergencyLater: "Vid en nödsituation",
    helplines: "Stödlinjer",
    fallback: "Vi har ingen stödlinje för det här landet än. Här är hjälp som fungerar överallt.",
    openUntil: "öppet till kl. {time}",
    open247: "öppet dygnet runt",
    opensToday: "öppnar kl. {time}",
    opensTomorrow: "öppnar i morgon kl. {time}",
    opensOn: "öppnar på {day} kl. {time}",
    closed: "stängt just nu",
    call: "Ring {number}",
    text: "Sms:a {number}",
    free: "gratis",
    phone: "Telefon",
    sms: "Sms",
    chat: "Chatt",
    app: "App",
    messaging: "Meddelanden",
    web: "Webbplats",
    email: "Mejl",
    newTab: "(öppnas i en ny flik)",
    closedLead: "{name} {when}.",
    until: "Till dess kan du {action}.",
    doCall: "ringa {number}",
    doText: "sms:a {number}",
    doWrite: "skriva till {name}",
    doVisit: "gå till webbplatsen för {name}",
    reporter: "Följ min anmälan",
    reporterHint: "Din privata sida, där du ser vad som händer med din anmälan.",
    defaultCountry: "Hjälp för: {country}. Det landet utgår plattformen från när den inte vet ditt.",
    inEnglish: "(på engelska)",
  },
};

const textsFor = (lang) => TEXTS[String(lang || "").slice(0, 2).toLowerCase()] || null;
const fill = (phrase, values = {}) => phrase.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : ""));

/** An element with attributes and children; `null`, `false` and "" are skipped. */
const h = (tag, attrs = {}, ...children) => {
  const node = tag === "svg" || tag === "path"
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== "" && child !== false) node.append(child);
  return node;
};

const BASE_CSS = `
:host{display:block;font-family:var(--relais-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif);color:var(--relais-text,#1b2130);line-height:1.45;overflow-wrap:anywhere}
:host([hidden]){display:none}
.text-language{font-weight:400}
*,*::before,*::after{box-sizing:border-box}
a{color:var(--relais-accent,#1f4fc4)}
:focus-visible{outline:3px solid var(--relais-focus,var(--relais-accent,#1f4fc4));outline-offset:3px}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.qx{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .75rem}
.qx__button{display:inline-flex;flex-direction:column;align-items:center;justify-content:center;min-width:44px;min-height:44px;padding:.5rem 1rem;border:2px solid transparent;border-radius:8px;background:var(--relais-danger,#b3261e);color:var(--relais-on-danger,#fff);font:inherit;font-weight:700;line-height:1.2;cursor:pointer;box-shadow:0 3px 0 #55100c}
.qx__button:hover{background:var(--relais-danger-hover,#8f1e18)}
.qx__lights{display:none;gap:.25rem;margin-top:.25rem}
.qx__lights--on{display:flex}
.qx__light{width:.5rem;height:.5rem;border:1px solid currentColor;border-radius:50%}
.qx__light--on{background:currentColor}
.qx__hint{flex:1 1 7rem;color:var(--relais-muted,#4a5366);font-size:.875rem;line-height:1.25}
@media (hover:none),(pointer:coarse){.qx__hint{display:none}}
@media (forced-colors:active){.qx__button,.primary-action,.emergency__link{border-color:ButtonText}}
`;

const CARD_CSS = `
.card>.qx{position:sticky;top:0;z-index:1;padding:.25rem 0 .5rem;background:var(--relais-surface,#fff)}
.status:empty{margin:0}
.status{margin:.75rem 0;color:var(--relais-muted,#4a5366)}
.status--error{padding:.75rem 1rem;border-left:4px solid var(--relais-danger,#b3261e);background:var(--relais-danger-soft,#fdeceb);color:var(--relais-text,#1b2130)}
.notice,.fallback{margin:.75rem 0;padding:.75rem 1rem;border-left:4px solid var(--relais-note-line,#d9b44a);border-radius:8px;background:var(--relais-note,#fff6db)}
.heading{margin:1.5rem 0 .5rem;font-size:1.125rem;line-height:1.3}
.primary{margin:1rem 0 .5rem}
.primary-action{display:flex;align-items:center;justify-content:center;gap:.75rem;width:100%;min-height:4.5rem;padding:1rem 1.25rem;border:2px solid transparent;border-radius:var(--relais-radius,14px);background:var(--relais-call,#0b6b3a);color:var(--relais-on-call,#fff);font-size:1.375rem;font-weight:700;line-height:1.2;text-align:center;text-decoration:none;box-shadow:0 4px 0 #064226}
.primary-action:hover{background:var(--relais-call-hover,#085530)}
.primary-action--emergency{background:var(--relais-danger,#b3261e);box-shadow:0 4px 0 #6b1510}
.primary-action--emergency:hover{background:var(--relais-danger-hover,#8f1e18)}
.icon{flex:none;width:1.25em;height:1.25em;fill:currentColor}
.primary__note{margin:.5rem 0 0;text-align:center;color:var(--relais-muted,#4a5366);font-size:.9375rem}
.emergency--now{margin-top:1rem;padding:.25rem 1rem 1rem;border:2px solid var(--relais-danger,#b3261e);border-radius:var(--relais-radius,14px);background:var(--relais-danger-soft,#fdeceb)}
.emergency--now .heading{margin-top:.75rem;color:var(--relais-danger,#b3261e);font-size:1.25rem}
ul{margin:0;padding:0;list-style:none}
.emergency-list,.helpline-list{display:grid;gap:.5rem}
.emergency__link{display:flex;align-items:center;gap:.75rem;min-height:48px;padding:.5rem .875rem;border:2px solid var(--relais-danger,#b3261e);border-radius:12px;background:var(--relais-surface,#fff);color:var(--relais-text,#1b2130);text-decoration:none}
.emergency__number{flex:none;min-width:3rem;color:var(--relais-danger,#b3261e);font-size:1.375rem;font-weight:800}
.helpline{padding:.875rem 1rem;border:1px solid var(--relais-line,#d5d9e3);border-radius:var(--relais-radius,14px);background:var(--relais-surface,#fff)}
.helpline__name{margin:0;font-size:1.125rem}
.helpline__operator{margin:0 0 .5rem;color:var(--relais-muted,#4a5366);font-size:.875rem}
.helpline__description{margin:.5rem 0;font-size:.9375rem}
.channels{display:grid;gap:.375rem}
.channel{display:flex;flex-direction:column;padding:.375rem .75rem;border-radius:10px;background:var(--relais-bg,#f3f4f8)}
.channel__link,.channel__label{display:inline-flex;align-items:center;gap:.5rem;min-height:44px;font-weight:600}
.channel__status{color:var(--relais-muted,#4a5366);font-size:.875rem}
.channel--open .channel__status::before{content:"";display:inline-block;width:.5rem;height:.5rem;margin-right:.375rem;border-radius:50%;background:var(--relais-call,#0b6b3a);vertical-align:.1em}
.reporter{margin:1.5rem 0 0}
.reporter__link{display:inline-flex;align-items:center;min-height:44px;font-weight:700}
.reporter__hint{display:block;color:var(--relais-muted,#4a5366);font-size:.875rem}
`;

// ---- Quick Exit (ADR 0018): a button always visible, and Shift pressed 3 times, as GOV.UK's "Exit this page" ----

const exits = new Set();
let presses = 0;
let lastKeyWasModified = false;
let pressTimer = 0;
let messageTimer = 0;
let hidden = null; // [element, previous inline display] while the page is blanked

const shown = (exit) => exit.root.isConnected && (!exit.root.checkVisibility || exit.root.checkVisibility());

const announce = (key) => {
  for (const exit of exits) exit.say(key && shown(exit) ? key : null);
};

const lights = () => {
  for (const exit of exits) exit.light(presses);
};

/** Blank the page at once (slow networks, people looking over a shoulder), then replace it in the history. */
const leave = (url) => {
  if (!hidden) {
    hidden = [];
    for (const node of document.body.children) {
      hidden.push([node, node.style.getPropertyValue("display"), node.style.getPropertyPriority("display")]);
      node.style.setProperty("display", "none", "important");
    }
    const texts = textsFor(document.documentElement.lang) || TEXTS.en;
    const cover = document.createElement("div");
    cover.setAttribute("role", "alert");
    cover.dataset.relaisQuickExit = "";
    for (const [k, v] of Object.entries({ position: "fixed", inset: "0", background: "#fff", color: "#000", padding: "1rem" })) {
      cover.style.setProperty(k, v);
    }
    document.body.append(cover);
    cover.textContent = texts.leaving;
    hidden.push([cover, null, null]);
    document.title = "";
  }
  window.location.replace(url);
};

const resetPage = () => {
  for (const [node, display, priority] of hidden || []) {
    if (display === null) node.remove();
    else if (display) node.style.setProperty("display", display, priority);
    else node.style.removeProperty("display");
  }
  hidden = null;
  presses = 0;
  lights();
  announce(null);
};

const expire = () => {
  window.clearTimeout(pressTimer);
  pressTimer = 0;
  presses = 0;
  lights();
  announce("exitExpired");
  messageTimer = window.setTimeout(() => announce(null), SHIFT_WINDOW_MS);
};

const onKeyup = (event) => {
  // Shift alone, not Shift released after typing a capital letter (that keyup comes with shiftKey set).
  if (event.key === "Shift" && !lastKeyWasModified && exits.size) {
    presses += 1;
    lights();
    window.clearTimeout(messageTimer);
    window.clearTimeout(pressTimer);
    if (presses >= 3) {
      presses = 0;
      const exit = [...exits].find(shown) || [...exits][0];
      leave(exit.url());
    } else {
      announce(presses === 1 ? "exit2" : "exit1");
      pressTimer = window.setTimeout(expire, SHIFT_WINDOW_MS);
    }
  } else if (pressTimer) {
    expire();
  }
  lastKeyWasModified = event.shiftKey;
};

let listening = false;
const listen = () => {
  if (listening) return;
  listening = true;
  document.addEventListener("keyup", onKeyup, true);
  // A page brought back from the back-forward cache must not stay blank.
  window.addEventListener("pageshow", (event) => event.persisted && resetPage());
};

/** The Quick Exit button and its polite announcements, inside a host element's shadow root. */
class QuickExit {
  constructor(host) {
    this.host = host;
    this.texts = TEXTS.en;
    this.status = h("span", { class: "sr", role: "status" });
    this.dots = [0, 1, 2].map(() => h("span", { class: "qx__light" }));
    this.lightsBox = h("span", { class: "qx__lights", "aria-hidden": "true" }, this.dots);
    this.label = h("span", {});
    this.hint = h("span", { class: "qx__hint", id: "qx-hint" });
    this.button = h("button", { type: "button", class: "qx__button", part: "quick-exit-button", "aria-describedby": "qx-hint" }, this.label, this.lightsBox);
    this.button.addEventListener("click", () => leave(this.url()));
    this.root = h("div", { class: "qx", part: "quick-exit" }, this.button, this.hint, this.status);
  }

  url() {
    return this.host.getAttribute("quick-exit-url") || EXIT_URL;
  }

  render(texts) {
    this.texts = texts;
    this.label.textContent = texts.exit;
    this.hint.textContent = texts.exitHint;
    return this.root;
  }

  connect() {
    exits.add(this);
    listen();
  }

  disconnect() {
    exits.delete(this);
  }

  say(key) {
    this.status.textContent = key ? this.texts[key] : "";
  }

  light(count) {
    this.lightsBox.classList.toggle("qx__lights--on", count > 0);
    this.dots.forEach((dot, i) => dot.classList.toggle("qx__light--on", i < count));
  }
}

// A constructed stylesheet, not a <style> element: a strict Content-Security-Policy (Relais's own, ADR 0024,
// or a platform's) refuses inline <style> but not a sheet built through the CSSOM. Browsers without them
// (Safari before 16.4) get the <style> element, which such a policy blocks.
const sheets = new Map();
const styled = (root, css) => {
  if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
    if (!sheets.has(css)) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      sheets.set(css, sheet);
    }
    root.adoptedStyleSheets = [sheets.get(css)];
    return [];
  }
  const style = document.createElement("style");
  style.textContent = css;
  return [style];
};

class RelaisQuickExit extends HTMLElement {
  static observedAttributes = ["lang", "quick-exit-url"];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.exit = new QuickExit(this);
  }

  connectedCallback() {
    this.exit.connect();
    this.render();
  }

  disconnectedCallback() {
    this.exit.disconnect();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.render();
  }

  render() {
    const texts = textsFor(this.getAttribute("lang") || this.closest("[lang]")?.getAttribute("lang")) || TEXTS.en;
    this.shadowRoot.replaceChildren(...styled(this.shadowRoot, BASE_CSS), this.exit.render(texts));
  }
}

// ---- The card ----

const ICONS = {
  phone:
    "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",
  web: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2c.8 1.2 1.5 2.5 1.9 4h-3.8c.4-1.5 1.1-2.8 1.9-4zM4.3 14a8 8 0 0 1 0-4h3.4a16 16 0 0 0 0 4zm5.4 0a14.7 14.7 0 0 1 0-4h4.6a14.7 14.7 0 0 1 0 4zm6.6 0a16 16 0 0 0 0-4h3.4a8 8 0 0 1 0 4zM12 20c-.8-1.2-1.5-2.5-1.9-4h3.8c-.4 1.5-1.1 2.8-1.9 4z",
};

const icon = (kind) =>
  h("svg", { class: "icon", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" },
    h("path", { d: ICONS[kind === "phone" || kind === "sms" ? "phone" : kind === "web" ? "web" : "chat"] }));

const external = (uri) => /^https?:/i.test(uri);
const safeUri = (uri) => (/^(tel|sms|https?|mailto):/i.test(uri || "") ? uri : null);
const numberOf = (uri) => decodeURIComponent(uri.split(":", 2)[1].split("?")[0]);

const addDays = (isoDate, days) => {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};

class RelaisHelpCard extends HTMLElement {
  static observedAttributes = [
    "country", "language", "age", "category", "danger", "timezone", "presentation", "api-base", "location-country",
    "lang", "reporter-url", "quick-exit-url", "quick-exit", "heading-level",
  ];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.exit = new QuickExit(this);
    this._card = null;
    this._state = "idle"; // idle | loading | ready | failed
    this._fetched = "";
    this._scheduled = false;
  }

  /** The HelpCard shown (the one a report returned, or the one fetched). Setting it skips the API. */
  get card() {
    return this._card;
  }

  set card(value) {
    this._card = value && typeof value === "object" ? value : null;
    this._state = this._card ? "ready" : "idle";
    this._given = Boolean(this._card);
    this.schedule();
  }

  connectedCallback() {
    // A `card` set before this script ran is an own property hiding the setter: take it over.
    if (Object.prototype.hasOwnProperty.call(this, "card")) {
      const given = this.card;
      delete this.card;
      this.card = given;
    }
    if (this.getAttribute("quick-exit") !== "none") this.exit.connect();
    this.readChildCard();
    // Defined while the page is still being parsed (an async script): the child card may not be there yet.
    if (!this._card && document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => this.readChildCard(), { once: true });
    }
    this.schedule();
  }

  readChildCard() {
    const script = this._card ? null : this.querySelector('script[type="application/json"]');
    if (!script) return;
    try {
      this.card = JSON.parse(script.textContent);
    } catch {
      console.warn("relais-help-card: the child <script type=application/json> is not JSON");
    }
  }

  disconnectedCallback() {
    this.exit.disconnect();
  }

  attributeChangedCallback(name) {
    if (name === "quick-exit" && this.isConnected) {
      if (this.getAttribute("quick-exit") === "none") this.exit.disconnect();
      else this.exit.connect();
    }
    this.schedule();
  }

  schedule() {
    if (this._scheduled) return;
    this._scheduled = true;
    queueMicrotask(() => {
      this._scheduled = false;
      if (this.isConnected) this.update();
    });
  }

  query() {
    const country = this.getAttribute("country");
    if (!country) return "";
    const params = new URLSearchParams({ country });
    const language = this.getAttribute("language") || this.getAttribute("lang") || document.documentElement.lang;
    if (language) params.set("language", language);
    for (const name of ["age", "category", "danger", "presentation"]) {
      const value = this.getAttribute(name);
      if (value) params.set(name, value);
    }
    const location = this.getAttribute("location-country");
    if (location) params.set("location_country", location);
    let zone = this.getAttribute("timezone");
    try {
      zone = zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      zone = null;
    }
    if (zone) params.set("timezone", zone);
    const base = (this.getAttribute("api-base") || ORIGIN).replace(/\/+$/, "");
    return `${base}/api/v1/help?${params}`;
  }

  update() {
    if (!this._given) {
      const url = this.query();
      if (url && url !== this._fetched) this.load(url);
    }
    this.render();
  }

  async load(url) {
    this._fetched = url;
    this._state = "loading";
    this._card = null;
    let card = null;
    let state = "failed";
    try {
      const response = await fetch(url, {
        credentials: "omit",
        referrerPolicy: "no-referrer",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (response.ok && Array.isArray(body.helplines)) {
        card = body;
        state = "ready";
      } else if (Array.isArray(body.emergency) && body.emergency.length) {
        // Over the rate limit, the API still lists the emergency numbers: show them.
        card = { emergency: body.emergency, helplines: [], primary: null, danger: "immediate" };
        state = "limited";
      } else {
        console.warn("relais-help-card:", response.status, body);
      }
    } catch (error) {
      console.warn("relais-help-card: the help could not be loaded", error);
    }
    if (url !== this._fetched || this._given) return; // attributes changed meanwhile, or a card was given
    this._card = card;
    this._state = state;
    this.render();
    this.dispatchEvent(new CustomEvent("relais-help-card:" + (card ? "load" : "error"), { bubbles: true }));
  }

  texts() {
    const card = this._card || {};
    return textsFor(this.getAttribute("lang")) || textsFor(card.language) || textsFor(this.getAttribute("language")) ||
      textsFor(document.documentElement.lang) || TEXTS.en;
  }

  lang() {
    const texts = this.texts();
    return Object.keys(TEXTS).find((code) => TEXTS[code] === texts) || "en";
  }

  /** A directory text in the language the card says it is in: marked when it is not the card's own. */
  inLanguage(text, language) {
    if (!language || language === this.lang()) return text;
    return h("span", {}, h("span", { lang: language }, text), " ", h("span", { class: "text-language" }, this.texts().inEnglish));
  }

  time(iso) {
    try {
      return new Intl.DateTimeFormat(this.lang(), {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: this._card.timezone || undefined,
      }).format(new Date(iso));
    } catch {
      return iso.slice(11, 16);
    }
  }

  day(isoDate, today) {
    const soon = isoDate < addDays(today, 7);
    const options = soon ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" };
    return new Intl.DateTimeFormat(this.lang(), { ...options, timeZone: "UTC" }).format(new Date(`${isoDate}T12:00:00Z`));
  }

  /** "opens tomorrow at 09:00", from the dates in the card's zone (its times are written in it). */
  opens(iso) {
    const t = this.texts();
    const today = String(this._card.generated_at || "").slice(0, 10) || iso.slice(0, 10);
    const day = iso.slice(0, 10);
    const time = this.time(iso);
    if (day === today) return fill(t.opensToday, { time });
    if (day === addDays(today, 1)) return fill(t.opensTomorrow, { time });
    return fill(t.opensOn, { day: this.day(day, today), time });
  }

  status(channel) {
    const t = this.texts();
    if (channel.open_now) {
      if (channel.closes_at) return fill(t.openUntil, { time: this.time(channel.closes_at) });
      return channel.kind === "web" ? "" : t.open247;
    }
    return channel.opens_at ? this.opens(channel.opens_at) : t.closed;
  }

  region(code) {
    try {
      return new Intl.DisplayNames([this.lang()], { type: "region" }).of(code) || code;
    } catch {
      return code;
    }
  }

  heading(level, attrs, text) {
    return h(`h${Math.min(6, Math.max(1, level))}`, attrs, text);
  }

  link(uri, attrs, ...children) {
    const href = safeUri(uri);
    if (!href) return h("span", attrs, ...children);
    const extra = external(href) ? { target: "_blank", rel: "noopener noreferrer" } : {};
    return h("a", { href, ...extra, ...attrs }, ...children, external(href) ? h("span", { class: "sr" }, ` ${this.texts().newTab}`) : null);
  }

  emergencyLabel(item) {
    const t = this.texts();
    return fill(item.uri.startsWith("sms:") ? t.text : t.call, { number: item.number });
  }

  /**
   * The specialist for the harm that no person can answer right now, and when it opens: a helpline the card
   * lists for its topic (not a `general` line), whose phone, chat, SMS or app channels are all closed.
   */
  closedSpecialist() {
    const card = this._card;
    const primary = card.primary;
    for (const line of card.helplines || []) {
      if ((line.topics || []).includes("general")) continue;
      const people = (line.channels || []).filter((c) => PERSON.includes(c.kind));
      if (!people.length || people.some((c) => c.open_now)) continue;
      const next = people.map((c) => c.opens_at).filter(Boolean).sort()[0];
      if (!next || (primary && primary.helpline_id === line.id)) return null;
      return { line, next };
    }
    return null;
  }

  notice() {
    const found = this.closedSpecialist();
    const card = this._card;
    if (!found || !card.primary) return "";
    const t = this.texts();
    const primary = card.primary;
    const lead = fill(t.closedLead, { name: found.line.name, when: this.opens(found.next) });
    const line = (card.helplines || []).find((l) => l.id === primary.helpline_id);
    const channel = line && line.channels.find((c) => c.uri === primary.uri && c.kind === primary.kind);
    const name = line ? line.name : primary.label;
    let action;
    if (primary.kind === "phone" && /^tel:/i.test(primary.uri)) action = fill(t.doCall, { number: numberOf(primary.uri) });
    else if (primary.kind === "sms" && /^sms:/i.test(primary.uri)) action = fill(t.doText, { number: numberOf(primary.uri) });
    else if (primary.kind === "web") action = fill(t.doVisit, { name });
    else action = fill(t.doWrite, { name });
    const open = channel ? this.status(channel) : "";
    return `${lead} ${fill(t.until, { action: open ? `${action}, ${open}` : action })}`;
  }

  primaryBlock() {
    const card = this._card;
    const primary = card.primary;
    if (!primary) return null;
    const parts = [];
    let label = primary.label;
    if (primary.emergency) {
      const item = (card.emergency || []).find((e) => e.id === primary.helpline_id);
      label = item ? this.emergencyLabel(item) : fill(this.texts().call, { number: numberOf(primary.uri) });
      if (item) parts.push(item.name);
    } else {
      const line = (card.helplines || []).find((l) => l.id === primary.helpline_id);
      const channel = line && line.channels.find((c) => c.uri === primary.uri && c.kind === primary.kind);
      if (line && !label.includes(line.name)) parts.push(line.name);
      if (channel) {
        const status = this.status(channel);
        if (status) parts.push(status);
        if (channel.free) parts.push(this.texts().free);
      }
    }
    const classes = `primary-action${primary.emergency ? " primary-action--emergency" : ""}`;
    return h("div", { class: "primary", part: "primary" },
      this.link(primary.uri, { class: classes, part: "primary-action", "data-kind": primary.kind }, icon(primary.kind),
        h("span", { class: "primary-action__label" }, primary.emergency ? label : this.inLanguage(label, primary.label_language))),
      parts.length ? h("p", { class: "primary__note" }, parts.join(" · ")) : null);
  }

  emergencySection(level, primary) {
    const card = this._card;
    const t = this.texts();
    const immediate = card.danger === "immediate";
    const items = (card.emergency || []).filter((e) => !(immediate && card.primary && card.primary.helpline_id === e.id));
    if (!(card.emergency || []).length) return null;
    return h("section", { class: `emergency${immediate ? " emergency--now" : ""}`, part: "emergency", "aria-labelledby": "emergency-title" },
      this.heading(level, { class: "heading", id: "emergency-title" }, immediate ? t.emergencyNow : t.emergencyLater),
      primary,
      h("ul", { class: "emergency-list" }, items.map((item) =>
        h("li", { class: "emergency-item", "data-emergency-id": item.id },
          this.link(item.uri, { class: "emergency__link" },
            h("span", { class: "emergency__number" }, item.number),
            h("span", { class: "emergency__name" }, this.inLanguage(item.name, item.name_language)),
            h("span", { class: "sr" }, ` (${this.emergencyLabel(item)})`))))));
  }

  channelItem(channel) {
    const t = this.texts();
    const details = [
      t[channel.kind] || channel.kind, this.status(channel), channel.free ? t.free : "", channel.abroad_label || "",
    ].filter(Boolean);
    const open = channel.open_now;
    const label = open
      ? this.link(channel.uri, { class: "channel__link" }, icon(channel.kind), this.inLanguage(channel.label, channel.label_language))
      : h("span", { class: "channel__label" }, icon(channel.kind), this.inLanguage(channel.label, channel.label_language));
    return h("li", { class: `channel channel--${open ? "open" : "closed"}`, part: "channel", "data-channel-id": channel.id },
      label, h("span", { class: "channel__status" }, details.join(" · ")));
  }

  helplinesSection(level) {
    const lines = this._card.helplines || [];
    if (!lines.length) return null;
    return h("section", { class: "helplines", part: "helplines", "aria-labelledby": "helplines-title" },
      this.heading(level, { class: "heading", id: "helplines-title" }, this.texts().helplines),
      h("ul", { class: "helpline-list" }, lines.map((line) =>
        h("li", { class: "helpline", part: "helpline", "data-helpline-id": line.id },
          this.heading(level + 1, { class: "helpline__name" }, line.name),
          line.operator && line.operator !== line.name ? h("p", { class: "helpline__operator" }, line.operator) : null,
          line.description
            ? h("p", { class: "helpline__description" }, this.inLanguage(line.description, line.description_language))
            : null,
          h("ul", { class: "channels" }, (line.channels || []).map((c) => this.channelItem(c)))))));
  }

  render() {
    const t = this.texts();
    const level = Number.parseInt(this.getAttribute("heading-level") || "2", 10) || 2;
    const card = this._card;
    if (!this.frame) {
      // Kept across renders, so that assistive technologies hear the status change politely.
      this.statusLine = h("p", { class: "status", part: "status", role: "status" });
      this.body = h("div", { class: "body" });
      this.frame = h("div", { class: "card", part: "card" }, this.statusLine, this.body);
      this.shadowRoot.replaceChildren(...styled(this.shadowRoot, BASE_CSS + CARD_CSS), this.frame);
    }
    const problem = { failed: this._fetched ? t.failed : "", limited: t.limited }[this._state] || "";
    this.statusLine.textContent = this._state === "loading" ? t.loading : problem;
    this.statusLine.classList.toggle("status--error", Boolean(problem));
    this.frame.setAttribute("lang", this.lang());
    this.frame.setAttribute("aria-busy", String(this._state === "loading"));
    if (this.getAttribute("quick-exit") !== "none") this.frame.prepend(this.exit.render(t));
    else this.exit.root.remove();
    const content = [];
    if (card) {
      const notice = this._state === "ready" ? this.notice() : "";
      if (notice) content.push(h("p", { class: "notice", part: "notice" }, notice));
      if (card.fallback) content.push(h("p", { class: "fallback", part: "fallback" }, t.fallback));
      if (card.abroad_note) content.push(h("p", { class: "fallback", part: "abroad" }, card.abroad_note));
      if (card.country_source === "platform_default" && card.country) {
        content.push(h("p", { class: "fallback", part: "default-country" }, fill(t.defaultCountry, { country: this.region(card.country) })));
      }
      const primary = this.primaryBlock();
      // Danger now: the emergency numbers first, the primary (an emergency number) among them. Otherwise
      // the primary action leads, then the helplines, and the emergency numbers close the card.
      if (card.danger === "immediate") {
        content.push(this.emergencySection(level, primary), this.helplinesSection(level));
      } else {
        content.push(primary, this.helplinesSection(level), this.emergencySection(level, null));
      }
      const reporterUrl = safeUri(this.getAttribute("reporter-url"));
      if (reporterUrl) {
        content.push(h("p", { class: "reporter", part: "reporter" },
          h("a", { class: "reporter__link", part: "reporter-link", href: reporterUrl, "aria-describedby": "reporter-hint" }, t.reporter),
          h("span", { class: "reporter__hint", id: "reporter-hint" }, t.reporterHint)));
      }
    }
    this.body.replaceChildren(...content.filter(Boolean));
  }
}

if (!customElements.get("relais-quick-exit")) customElements.define("relais-quick-exit", RelaisQuickExit);
if (!customElements.get("relais-help-card")) customElements.define("relais-help-card", RelaisHelpCard);
