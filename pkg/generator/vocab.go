package generator

// The fixed word lists the generator draws from. They are deliberately small,
// so that the same phrases repeat across thousands of conversations the way
// real chat traffic does, and "popular phrases" has something to rank.

// Languages, in the order of their weights below.
var languages = []string{"es", "en", "pt", "ru", "fr", "de"}

// languageWeights skew the contacts towards Spanish, English and Portuguese.
var languageWeights = []float64{36, 26, 20, 8, 6, 4}

const (
	langES = iota
	langEN
	langPT
	langRU
	langFR
	langDE
)

// Platforms and the share of contacts on each, in percent.
var platforms = []string{"whatsapp", "webchat", "telegram", "messenger", "instagram", "line", "viber", "sms"}

var platformWeights = []float64{55, 20, 10, 7, 5, 1, 1.2, 0.8}

const (
	platWhatsApp = iota
	platWebchat
	platTelegram
	platMessenger
	platInstagram
	platLine
	platViber
	platSMS
)

// inboxSpecs are the connected channels of every workspace: two WhatsApp
// numbers (sales and support) and one inbox for each other platform.
var inboxSpecs = []struct{ name, platform, external string }{
	{"WhatsApp Sales", "whatsapp", "wa-phone-100200300401"},
	{"WhatsApp Support", "whatsapp", "wa-phone-100200300402"},
	{"Website chat", "webchat", ""},
	{"Telegram bot", "telegram", "@%s_shop_bot"},
	{"Facebook Messenger", "messenger", "fb-page-481516234200"},
	{"Instagram DM", "instagram", "ig-account-17841400000001"},
	{"LINE official account", "line", "@%s-shop"},
	{"Viber bot", "viber", "%s-shop"},
	{"SMS", "sms", "+15550100200"},
}

const (
	inboxWASales = iota
	inboxWASupport
	inboxWebchat
	inboxTelegram
	inboxMessenger
	inboxInstagram
	inboxLine
	inboxViber
	inboxSMS
)

// platformInbox is the (only or default) inbox of each platform.
var platformInbox = []int{inboxWASupport, inboxWebchat, inboxTelegram, inboxMessenger, inboxInstagram, inboxLine, inboxViber, inboxSMS}

// Teams; the role is what an assignment queued to the team needs when no
// agent has taken it yet.
var teamSpecs = []struct{ name, role string }{
	{"Sales", "support"},
	{"Support", "support"},
	{"Tech", "tech"},
}

const (
	teamSales = iota
	teamSupport
	teamTech
)

var agentNames = []string{
	"Lucía Fernández", "Marcos Oliveira", "Emily Carter", "Dmitri Volkov",
	"Camille Dubois", "Jonas Becker", "Valentina Rossi", "Thiago Santos",
	"Sofía Martínez", "Noah Williams", "Ana Pereira", "Mateo Gómez",
	"Olga Smirnova", "Lukas Schneider", "Chloé Martin", "Daniel Costa",
	"Isabella López", "James Miller", "Beatriz Lima", "Pablo Ruiz",
	"Anna Ivanova", "Léa Bernard", "Felix Wagner", "Gabriel Souza",
}

// Flows of the bot.
var flowNames = []string{
	"Welcome", "Main menu", "Order tracking", "Pricing & plans", "Delivery info",
	"Returns & refunds", "Payments", "Tech support", "Human handoff",
	"Campaign follow-up", "Lead capture", "Satisfaction survey", "Language selection",
	"Appointments",
}

const (
	flowWelcome = iota
	flowMainMenu
	flowOrders
	flowPricing
	flowDelivery
	flowReturns
	flowPayments
	flowTech
	flowHandoff
	flowCampaign
	flowLead
	flowSurvey
	flowLanguage
	flowAppointments
)

// Markers (tags) put on conversations.
var markerNames = []string{
	"lead", "vip", "complaint", "follow-up", "spam", "bug-report", "upsell",
	"resolved-by-bot", "urgent", "feedback-positive",
}

const (
	markLead = iota
	markVIP
	markComplaint
	markFollowUp
	markSpam
	markBug
	markUpsell
	markBotResolved
	markUrgent
	markFeedback
)

// intentSpec is one intent the bot detects, with what users write for it
// (two phrases in es, en and pt, one in ru, fr and de), the flow it
// triggers (-1: none), the team a hand-off about it goes to and how likely a
// conversation about it ends with a human.
type intentSpec struct {
	name    string
	phrases [6][]string
	flow    int
	team    int
	handoff float64
}

// topicIntents is the ranked list conversation topics are drawn from with a
// Zipf law; the social intents (greeting, thanks, goodbye) come on top.
var topicIntents = []intentSpec{
	{"order_status", [6][]string{
		{"¿dónde está mi pedido?", "quiero saber el estado de mi pedido"},
		{"where is my order?", "can you check my order status"},
		{"cadê meu pedido?", "qual o status do meu pedido"},
		{"где мой заказ?"}, {"où en est ma commande ?"}, {"wo ist meine Bestellung?"},
	}, flowOrders, teamSupport, 0.14},
	{"pricing", [6][]string{
		{"¿cuánto cuesta?", "precio del plan premium"},
		{"how much does it cost?", "what are your prices"},
		{"quanto custa?", "qual o preço do plano"},
		{"сколько стоит?"}, {"combien ça coûte ?"}, {"was kostet das?"},
	}, flowPricing, teamSales, 0.2},
	{"delivery_time", [6][]string{
		{"¿cuánto tarda el envío?", "¿cuándo llega mi paquete?"},
		{"how long does delivery take?", "when will my package arrive"},
		{"quanto tempo demora a entrega?", "quando chega minha encomenda"},
		{"сколько идёт доставка?"}, {"quel est le délai de livraison ?"}, {"wie lange dauert die Lieferung?"},
	}, flowDelivery, teamSupport, 0.08},
	{"product_availability", [6][]string{
		{"¿tienen stock?", "¿hay talla M?"},
		{"is this in stock?", "do you have it in size M"},
		{"tem em estoque?", "tem no tamanho M"},
		{"есть в наличии?"}, {"c'est disponible ?"}, {"ist das auf Lager?"},
	}, flowPricing, teamSales, 0.12},
	{"talk_to_human", [6][]string{
		{"quiero hablar con una persona", "agente por favor"},
		{"i want to talk to a human", "agent please"},
		{"quero falar com um atendente", "atendente por favor"},
		{"соедините с оператором"}, {"je veux parler à un conseiller"}, {"ich möchte mit einem Mitarbeiter sprechen"},
	}, flowHandoff, teamSupport, 0.92},
	{"payment_methods", [6][]string{
		{"¿puedo pagar con tarjeta?", "¿aceptan transferencia?"},
		{"can i pay by card?", "do you accept paypal"},
		{"posso pagar com pix?", "aceita cartão?"},
		{"можно оплатить картой?"}, {"je peux payer par carte ?"}, {"kann ich mit Karte zahlen?"},
	}, flowPayments, teamSales, 0.1},
	{"opening_hours", [6][]string{
		{"¿a qué hora abren?", "horario de atención"},
		{"what are your opening hours?", "are you open on sunday"},
		{"que horas vocês abrem?", "horário de funcionamento"},
		{"во сколько вы открываетесь?"}, {"quels sont vos horaires ?"}, {"wann haben Sie geöffnet?"},
	}, flowDelivery, teamSupport, 0.03},
	{"promotions", [6][]string{
		{"¿tienen alguna promoción?", "quiero el descuento"},
		{"any discounts?", "i want the promo"},
		{"tem alguma promoção?", "quero o desconto"},
		{"есть скидки?"}, {"vous avez des promos ?"}, {"gibt es Rabatte?"},
	}, flowPricing, teamSales, 0.15},
	{"store_location", [6][]string{
		{"¿dónde están ubicados?", "dirección de la tienda"},
		{"where is your store?", "store address"},
		{"onde fica a loja?", "endereço da loja"},
		{"где находится магазин?"}, {"où se trouve le magasin ?"}, {"wo ist der Laden?"},
	}, flowDelivery, teamSupport, 0.03},
	{"refund_request", [6][]string{
		{"quiero un reembolso", "devuélvanme el dinero"},
		{"i want a refund", "please refund my payment"},
		{"quero meu dinheiro de volta", "quero reembolso"},
		{"верните деньги"}, {"je veux être remboursé"}, {"ich möchte eine Rückerstattung"},
	}, flowReturns, teamSupport, 0.55},
	{"returns", [6][]string{
		{"¿cómo devuelvo un producto?", "quiero devolver mi compra"},
		{"how do i return an item?", "i need to return my order"},
		{"como faço uma devolução?", "quero devolver o produto"},
		{"как вернуть товар?"}, {"comment retourner un article ?"}, {"wie kann ich etwas zurückschicken?"},
	}, flowReturns, teamSupport, 0.25},
	{"cancel_order", [6][]string{
		{"quiero cancelar mi pedido", "cancelar compra"},
		{"cancel my order", "i want to cancel my purchase"},
		{"quero cancelar meu pedido", "cancelar compra"},
		{"отмените заказ"}, {"annuler ma commande"}, {"Bestellung stornieren"},
	}, flowOrders, teamSupport, 0.35},
	{"technical_issue", [6][]string{
		{"la app no funciona", "me sale un error al pagar"},
		{"the app is not working", "i get an error at checkout"},
		{"o app não funciona", "dá erro no pagamento"},
		{"приложение не работает"}, {"l'application ne marche pas"}, {"die App funktioniert nicht"},
	}, flowTech, teamTech, 0.5},
	{"account_access", [6][]string{
		{"no puedo entrar a mi cuenta", "olvidé mi contraseña"},
		{"i can't log in", "forgot my password"},
		{"não consigo entrar na minha conta", "esqueci minha senha"},
		{"не могу войти в аккаунт"}, {"je n'arrive pas à me connecter"}, {"ich kann mich nicht anmelden"},
	}, flowTech, teamTech, 0.4},
	{"shipping_cost", [6][]string{
		{"¿cuánto cuesta el envío?", "¿el envío es gratis?"},
		{"how much is shipping?", "is shipping free"},
		{"quanto é o frete?", "o frete é grátis?"},
		{"сколько стоит доставка?"}, {"combien coûte la livraison ?"}, {"was kostet der Versand?"},
	}, flowDelivery, teamSales, 0.06},
	{"change_address", [6][]string{
		{"quiero cambiar la dirección de entrega", "me equivoqué de dirección"},
		{"i need to change my delivery address", "wrong address on my order"},
		{"quero mudar o endereço de entrega", "errei o endereço"},
		{"хочу изменить адрес доставки"}, {"je veux changer mon adresse de livraison"}, {"ich möchte die Lieferadresse ändern"},
	}, flowOrders, teamSupport, 0.3},
	{"invoice_request", [6][]string{
		{"necesito mi factura", "¿me envían la factura?"},
		{"i need an invoice", "can you send me the invoice"},
		{"preciso da nota fiscal", "pode mandar a nota?"},
		{"нужен счёт"}, {"j'ai besoin d'une facture"}, {"ich brauche eine Rechnung"},
	}, flowPayments, teamSupport, 0.2},
	{"complaint", [6][]string{
		{"pésimo servicio", "quiero poner una queja"},
		{"terrible service", "i want to file a complaint"},
		{"péssimo atendimento", "quero fazer uma reclamação"},
		{"ужасный сервис"}, {"service catastrophique"}, {"ich möchte mich beschweren"},
	}, flowHandoff, teamSupport, 0.7},
	{"warranty", [6][]string{
		{"¿cuánto dura la garantía?", "se rompió, ¿cubre la garantía?"},
		{"what does the warranty cover?", "it broke, is it under warranty"},
		{"qual a garantia?", "quebrou, tem garantia?"},
		{"какая гарантия?"}, {"c'est sous garantie ?"}, {"gilt die Garantie noch?"},
	}, flowReturns, teamTech, 0.3},
	{"subscription_cancel", [6][]string{
		{"darme de baja", "no quiero recibir más mensajes"},
		{"unsubscribe", "stop sending me messages"},
		{"cancelar inscrição", "parem de mandar mensagens"},
		{"отписаться"}, {"se désabonner"}, {"abmelden"},
	}, -1, teamSupport, 0.05},
	{"appointment_booking", [6][]string{
		{"quiero agendar una cita", "¿hay turno para mañana?"},
		{"i'd like to book an appointment", "any slots tomorrow"},
		{"quero agendar um horário", "tem horário amanhã?"},
		{"хочу записаться"}, {"je voudrais prendre rendez-vous"}, {"ich möchte einen Termin buchen"},
	}, flowAppointments, teamSales, 0.15},
	{"feedback", [6][]string{
		{"5", "excelente atención"},
		{"5", "great service"},
		{"5", "ótimo atendimento"},
		{"отлично"}, {"très bien"}, {"super Service"},
	}, flowSurvey, teamSupport, 0.02},
}

// The intents every conversation may carry besides its topic.
var (
	greetingIntent = intentSpec{name: "greeting", flow: -1, phrases: [6][]string{
		{"hola", "buenas tardes"}, {"hi", "hello there"}, {"oi", "bom dia"},
		{"здравствуйте"}, {"bonjour"}, {"hallo"},
	}}
	thanksIntent = intentSpec{name: "thanks", flow: -1, phrases: [6][]string{
		{"gracias", "muchas gracias"}, {"thanks", "thank you so much"}, {"obrigado", "muito obrigada"},
		{"спасибо"}, {"merci beaucoup"}, {"danke"},
	}}
	goodbyeIntent = intentSpec{name: "goodbye", flow: -1, phrases: [6][]string{
		{"adiós", "hasta luego"}, {"bye", "see you"}, {"tchau", "até mais"},
		{"до свидания"}, {"au revoir"}, {"tschüss"},
	}}
)

// Topic intent indexes used by the campaign and hand-off logic.
const (
	intentPricing            = 1
	intentDeliveryTime       = 2
	intentProductAvail       = 3
	intentTalkToHuman        = 4
	intentPayment            = 5
	intentPromotions         = 7
	intentRefund             = 9
	intentReturns            = 10
	intentCancelOrder        = 11
	intentTechnical          = 12
	intentAccountAccess      = 13
	intentChangeAddress      = 15
	intentComplaint          = 17
	intentWarranty           = 18
	intentSubscriptionCancel = 19
	intentFeedback           = 21
)

// fillers are inbound messages without a detectable intent or language.
var fillers = []string{"[image]", "[audio]", "[sticker]", "👍", "ok", "?", "..."}

// unclear are texts in a language that the bot cannot map to an intent.
var unclear = [6][]string{
	{"eh", "no entiendo"}, {"what?", "hmm"}, {"hein?", "não entendi"},
	{"что?"}, {"quoi ?"}, {"wie bitte?"},
}

// spamTexts are what automated (is_bot) contacts send.
var spamTexts = []string{
	"Cheap followers! Visit http://promo-xyz.example now",
	"Earn $500/day from home, click here",
	"Hello dear, I have a business proposal for you",
	"Congratulations, you won a gift card http://win.example",
}

// campaignYes is an interested reply to a broadcast, in each language.
var campaignYes = [6]string{"sí, me interesa", "yes, i'm interested", "sim, tenho interesse", "да, интересно", "oui, ça m'intéresse", "ja, interessiert mich"}

// Prefixes of the message in which a contact hands over contact details.
var (
	emailPrefix = [6]string{"mi correo es ", "my email is ", "meu e-mail é ", "моя почта ", "mon e-mail est ", "meine E-Mail ist "}
	phonePrefix = [6]string{"mi número es ", "my number is ", "meu número é ", "мой номер ", "mon numéro est ", "meine Nummer ist "}
)

// botLines are the bot's replies, per language.
type botLines struct {
	welcome, handoff, noAgents, feedbackAsk, bye, askContact, success, fallback, stopAck string
	answers                                                                              []string
}

var bot = [6]botLines{
	{
		welcome: "¡Hola! Soy el asistente virtual. ¿En qué puedo ayudarte?", handoff: "Te paso con un agente, un momento por favor.",
		noAgents: "Ahora no hay agentes disponibles. Te contactaremos lo antes posible.", feedbackAsk: "¿Cómo calificarías la atención del 1 al 5?",
		bye: "¡Gracias por escribirnos! Que tengas un buen día.", askContact: "¿Me dejas tu correo o teléfono para que un asesor te contacte?",
		success: "¡Listo! Quedó registrado tu pedido.", fallback: "Perdón, no te entendí. ¿Puedes reformularlo?", stopAck: "Listo, no te enviaremos más mensajes.",
		answers: []string{"Claro, aquí tienes la información.", "Puedes verlo en tu cuenta, en la sección Pedidos.", "¿Me indicas tu número de pedido, por favor?", "Te dejo el enlace con todos los detalles."},
	},
	{
		welcome: "Hi! I'm the virtual assistant. How can I help you?", handoff: "Let me connect you with an agent, one moment please.",
		noAgents: "No agents are available right now. We will get back to you as soon as possible.", feedbackAsk: "How would you rate our service from 1 to 5?",
		bye: "Thanks for reaching out! Have a great day.", askContact: "Could you leave your email or phone so an advisor can contact you?",
		success: "Done! Your order is confirmed.", fallback: "Sorry, I didn't get that. Could you rephrase?", stopAck: "Done, you won't receive more messages.",
		answers: []string{"Sure, here is the information.", "You can check it in your account, under Orders.", "Could you share your order number, please?", "Here is a link with all the details."},
	},
	{
		welcome: "Olá! Sou o assistente virtual. Como posso ajudar?", handoff: "Vou te transferir para um atendente, um momento por favor.",
		noAgents: "No momento não há atendentes disponíveis. Retornaremos assim que possível.", feedbackAsk: "Como você avalia o atendimento de 1 a 5?",
		bye: "Obrigado pelo contato! Tenha um ótimo dia.", askContact: "Pode deixar seu e-mail ou telefone para um consultor entrar em contato?",
		success: "Pronto! Seu pedido foi registrado.", fallback: "Desculpe, não entendi. Pode reformular?", stopAck: "Pronto, você não receberá mais mensagens.",
		answers: []string{"Claro, aqui está a informação.", "Você pode ver na sua conta, em Pedidos.", "Pode me passar o número do pedido, por favor?", "Segue o link com todos os detalhes."},
	},
	{
		welcome: "Здравствуйте! Я виртуальный помощник. Чем могу помочь?", handoff: "Соединяю с оператором, одну минуту.",
		noAgents: "Сейчас нет свободных операторов. Мы свяжемся с вами как можно скорее.", feedbackAsk: "Оцените, пожалуйста, обслуживание от 1 до 5.",
		bye: "Спасибо за обращение! Хорошего дня.", askContact: "Оставьте, пожалуйста, почту или телефон, и консультант свяжется с вами.",
		success: "Готово! Ваш заказ оформлен.", fallback: "Извините, не понял. Можете переформулировать?", stopAck: "Готово, больше не будем писать.",
		answers: []string{"Конечно, вот информация.", "Это можно посмотреть в личном кабинете, в разделе «Заказы».", "Подскажите номер заказа, пожалуйста.", "Вот ссылка со всеми подробностями."},
	},
	{
		welcome: "Bonjour ! Je suis l'assistant virtuel. Comment puis-je vous aider ?", handoff: "Je vous mets en relation avec un conseiller, un instant s'il vous plaît.",
		noAgents: "Aucun conseiller n'est disponible pour le moment. Nous vous recontacterons rapidement.", feedbackAsk: "Comment évaluez-vous notre service de 1 à 5 ?",
		bye: "Merci de nous avoir contactés ! Bonne journée.", askContact: "Pouvez-vous laisser votre e-mail ou téléphone pour qu'un conseiller vous rappelle ?",
		success: "C'est fait ! Votre commande est confirmée.", fallback: "Désolé, je n'ai pas compris. Pouvez-vous reformuler ?", stopAck: "C'est noté, vous ne recevrez plus de messages.",
		answers: []string{"Bien sûr, voici l'information.", "Vous pouvez le voir dans votre compte, rubrique Commandes.", "Pouvez-vous me donner votre numéro de commande ?", "Voici le lien avec tous les détails."},
	},
	{
		welcome: "Hallo! Ich bin der virtuelle Assistent. Wie kann ich helfen?", handoff: "Ich verbinde Sie mit einem Mitarbeiter, einen Moment bitte.",
		noAgents: "Gerade ist kein Mitarbeiter verfügbar. Wir melden uns so bald wie möglich.", feedbackAsk: "Wie bewerten Sie unseren Service von 1 bis 5?",
		bye: "Danke für Ihre Nachricht! Einen schönen Tag noch.", askContact: "Hinterlassen Sie Ihre E-Mail oder Telefonnummer, damit ein Berater Sie kontaktiert?",
		success: "Erledigt! Ihre Bestellung ist bestätigt.", fallback: "Entschuldigung, das habe ich nicht verstanden. Können Sie es anders formulieren?", stopAck: "Erledigt, Sie erhalten keine Nachrichten mehr.",
		answers: []string{"Natürlich, hier sind die Informationen.", "Sie finden das in Ihrem Konto unter Bestellungen.", "Können Sie mir Ihre Bestellnummer nennen?", "Hier ist ein Link mit allen Details."},
	},
}

// agentLines are what human agents write, per language; AI-assisted replies
// start from these too.
var agentLines = [6][]string{
	{"Hola, te atiendo yo. ¿Me cuentas un poco más?", "Ya lo reviso, dame un minuto.", "Listo, ya quedó solucionado.", "¿Hay algo más en lo que pueda ayudarte?", "Te envío el enlace por aquí.", "Gracias por tu paciencia."},
	{"Hi, I'll take it from here. Could you tell me a bit more?", "Let me check that, give me a minute.", "All set, it's fixed now.", "Is there anything else I can help you with?", "I'm sending you the link here.", "Thanks for your patience."},
	{"Olá, vou te atender. Pode me contar um pouco mais?", "Vou verificar, só um minuto.", "Pronto, já está resolvido.", "Posso ajudar em mais alguma coisa?", "Vou te mandar o link por aqui.", "Obrigado pela paciência."},
	{"Здравствуйте, я вам помогу. Расскажите подробнее?", "Сейчас проверю, минутку.", "Готово, всё исправлено.", "Могу ещё чем-нибудь помочь?", "Отправляю ссылку сюда.", "Спасибо за терпение."},
	{"Bonjour, je m'occupe de vous. Pouvez-vous m'en dire plus ?", "Je vérifie, une minute s'il vous plaît.", "C'est réglé.", "Puis-je vous aider pour autre chose ?", "Je vous envoie le lien ici.", "Merci pour votre patience."},
	{"Hallo, ich übernehme. Können Sie mir mehr erzählen?", "Ich prüfe das, einen Moment bitte.", "Erledigt, das Problem ist behoben.", "Kann ich sonst noch helfen?", "Ich schicke Ihnen den Link hier.", "Danke für Ihre Geduld."},
}

// Template categories and what one send costs, in micro-credits.
var templateCategories = []string{"marketing", "utility", "authentication", "other"}

var templateCost = []int64{62_500, 6_800, 31_500, 10_000}

const (
	catMarketing = iota
	catUtility
	catAuthentication
	catOther
)

// campaignSpecs are the outbound campaigns, used in turn over the period.
// Bodies are given in es, en and pt; other languages receive English.
var campaignSpecs = []struct {
	name, template string
	category       int
	bodies         [3]string
}{
	{"Spring sale", "spring_sale", catMarketing, [3]string{
		"🌸 ¡Rebajas de primavera con 20% de descuento! Responde SÍ para ver las ofertas.",
		"🌸 Spring sale: 20% off everything! Reply YES to see the deals.",
		"🌸 Promoção de primavera com 20% de desconto! Responda SIM para ver as ofertas."}},
	{"Payment reminder", "payment_reminder", catUtility, [3]string{
		"Hola, te recordamos que tu factura vence en 3 días.",
		"Hi, a reminder that your invoice is due in 3 days.",
		"Olá, lembramos que sua fatura vence em 3 dias."}},
	{"New collection launch", "new_collection", catMarketing, [3]string{
		"Llegó la nueva colección ✨ ¿Quieres verla antes que nadie?",
		"The new collection is here ✨ Want a first look?",
		"Chegou a nova coleção ✨ Quer ver antes de todo mundo?"}},
	{"Satisfaction survey", "csat_survey", catOther, [3]string{
		"¿Cómo fue tu última compra? Responde del 1 al 5.",
		"How was your last purchase? Reply from 1 to 5.",
		"Como foi sua última compra? Responda de 1 a 5."}},
	{"Abandoned cart", "cart_reminder", catMarketing, [3]string{
		"Dejaste productos en tu carrito 🛒 Te guardamos un 10% de descuento.",
		"You left items in your cart 🛒 Here is 10% off to finish your order.",
		"Você deixou produtos no carrinho 🛒 Guardamos 10% de desconto para você."}},
	{"Appointment reminder", "appointment_reminder", catUtility, [3]string{
		"Recordatorio: tienes una cita mañana. Responde para confirmar.",
		"Reminder: you have an appointment tomorrow. Reply to confirm.",
		"Lembrete: você tem um horário amanhã. Responda para confirmar."}},
}

// otpTemplate is the authentication template sent through the API, outside
// any conversation (its template_sends rows have no message).
const otpTemplate = "login_code"

// Per-message prices on paid channels, in micro-credits.
const (
	whatsappServiceCost = 30_000 // first reply of a user-initiated WhatsApp conversation
	smsCost             = 7_500
	viberCost           = 3_500
)

// sitePages is the small web shop the webchat widget lives on, most visited first.
var sitePages = []struct{ path, title string }{
	{"/", "Home"},
	{"/products", "All products"},
	{"/pricing", "Pricing"},
	{"/promo/spring-sale", "Spring sale"},
	{"/products/urban-backpack", "Urban backpack"},
	{"/shipping", "Shipping & delivery"},
	{"/faq", "Frequently asked questions"},
	{"/products/running-shoes-x2", "Running shoes X2"},
	{"/account/orders", "My orders"},
	{"/returns", "Returns"},
	{"/checkout", "Checkout"},
	{"/contact", "Contact us"},
	{"/stores", "Store locator"},
	{"/blog/summer-style-guide", "Summer style guide"},
	{"/products/smartwatch-s", "Smartwatch S"},
}

// Names of contacts, per language.
var firstNames = [6][]string{
	{"Lucía", "Mateo", "Sofía", "Santiago", "Valentina", "Diego", "Camila", "Javier", "Martina", "Andrés", "Paula", "Carlos"},
	{"Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Mia", "Ethan", "Grace", "Jack", "Chloe", "Ryan"},
	{"Ana", "João", "Beatriz", "Pedro", "Mariana", "Lucas", "Larissa", "Rafael", "Juliana", "Gustavo", "Fernanda", "Bruno"},
	{"Анна", "Иван", "Мария", "Дмитрий", "Екатерина", "Алексей", "Ольга", "Сергей"},
	{"Camille", "Louis", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Arthur"},
	{"Lena", "Jonas", "Mia", "Leon", "Hannah", "Paul", "Lea", "Felix"},
}

var lastNames = [6][]string{
	{"García", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Díaz", "Torres", "Ramírez"},
	{"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Clark", "Lewis", "Walker", "Hall"},
	{"Silva", "Santos", "Oliveira", "Souza", "Lima", "Costa", "Pereira", "Almeida", "Ferreira", "Ribeiro"},
	{"Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев"},
	{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit"},
	{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"},
}

// Latin-script versions of the Russian names, for e-mail addresses.
var emailNames = []string{"anna", "ivan", "maria", "dmitry", "kate", "alex", "olga", "sergey"}

// countryCodes are the phone prefixes of each language's contacts.
var countryCodes = [6][]string{{"34", "52", "54", "57"}, {"1", "44"}, {"55"}, {"7"}, {"33"}, {"49"}}

// timeZones are the workspaces' local zones, in turn: they shape the daily cycle.
var timeZones = []string{"America/Sao_Paulo", "Europe/Madrid", "America/Mexico_City", "Europe/Berlin", "America/New_York"}

// Local hour weights: quiet nights, a late-morning peak and an evening peak.
var hourWeights = [24]float64{
	0.35, 0.2, 0.12, 0.08, 0.08, 0.15, 0.35, 0.7, 1.2, 1.7, 2.1, 2.35,
	2.2, 1.8, 1.65, 1.7, 1.75, 1.8, 1.9, 2.2, 2.5, 2.35, 1.8, 0.9,
}

// Weekday weights, Sunday first: weekends are about 40% quieter.
var weekdayWeights = [7]float64{0.6, 1.05, 1.0, 1.0, 1.0, 0.95, 0.6}

// closingReasons of handled assignments and their weights.
var handledReasons = []string{"resolved", "no_response", "duplicate", "out_of_scope", "spam"}

var handledReasonWeights = []float64{72, 14, 5, 6, 3}
