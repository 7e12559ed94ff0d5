import type { BouncePatternFields } from '../types.js';

/**
 * The bounce patterns shipped with the service. The id is stable (it becomes the stream id
 * `bouncePattern-<id>`) and must never change between releases.
 *
 * Ordering policy. The first match wins, so priorities say which reading of a reply prevails:
 *   100–199 SOFT_BOUNCE: mailbox full (whatever the code), then temporary conditions.
 *   300–399 BOUNCE: blocklists, spam, content, authentication, reverse DNS, sender, size, policy.
 *           Before the hard bounces because such replies often carry mailbox wording or codes too
 *           ("550 5.2.1 Mailbox unavailable. Your IP is blacklisted", "550 5.1.1 rejected as spam").
 *   500–599 HARD_BOUNCE: the recipient or its domain does not exist, or the account is disabled.
 *           Last, because a false hard bounce drops a real subscriber for good.
 *   900     BOUNCE: any other 5.7.x security rejection, for a clearer message than the fallback.
 * A reply led by a 4xx code is temporary whatever its text says ("450 4.1.1 user unknown, try
 * again", "454 4.7.1 blocked using dnsbl"), so the BOUNCE and HARD_BOUNCE patterns refuse it
 * themselves (NOT_4XX) and it falls through to the reply-code fallback: SOFT_BOUNCE. No catch-all
 * 4xx rule is needed, and each rule stays right when another is disabled or an ISP's patterns run
 * first. ISP patterns run before all All-ISPs patterns and follow the same tiers.
 * Every alternative holds a literal word, so the matcher's index tries a rule only on replies that
 * can match it.
 */
export type DefaultBouncePattern = { readonly id: string } & BouncePatternFields;

/** Any text not led by a 4xx code (Exchange prefixes relayed codes with `#`); the phrase may start the reply. */
const NOT_4XX = '^(?:#?[^#4].*)?';

export const DEFAULT_BOUNCE_PATTERNS: readonly DefaultBouncePattern[] = [
  // ISP patterns run before every All-ISPs pattern, even the mailbox-full and BOUNCE ones: the hard
  // bounces among them name the ISP's exact wording for a missing or disabled account, nothing looser.
  // ---- Gmail
  {
    id: 'default-gmail-no-such-user',
    name: 'Gmail: account does not exist',
    type: 'HARD_BOUNCE',
    ispId: 'gmail',
    pattern: String.raw`^5\d\d[ -]5\.1\.1\b.*(?:account that you tried to reach does not exist|p=NoSuchUser)`,
    message: 'Mailbox does not exist',
    priority: 500,
    enabled: true,
  },
  {
    id: 'default-gmail-disabled-user',
    name: 'Gmail: account disabled',
    type: 'HARD_BOUNCE',
    ispId: 'gmail',
    pattern: String.raw`^5\d\d[ -]5\.2\.1\b.*(?:account that you tried to reach is (?:disabled|inactive)|p=DisabledUser)`,
    message: 'Mailbox disabled',
    priority: 500,
    enabled: true,
  },
  // ---- Yahoo / AOL
  {
    id: 'default-yahoo-deferred',
    name: 'Yahoo: temporarily deferred ([TSxx])',
    type: 'SOFT_BOUNCE',
    ispId: 'yahoo',
    pattern: String.raw`^4\d\d\b.*\[TSS?\d\d\]`,
    message: 'Deferred by Yahoo (volume or user complaints), will retry',
    priority: 100,
    enabled: true,
  },
  {
    id: 'default-yahoo-blocked',
    name: 'Yahoo: blocked ([TSxx], [BLxx], [PHxx])',
    type: 'BOUNCE',
    ispId: 'yahoo',
    pattern: String.raw`^5\d\d\b.*\[(?:TSS?|BL|PH)\d\d\]`,
    message: "Rejected by Yahoo for the sender's reputation or policy",
    priority: 300,
    enabled: true,
  },
  {
    id: 'default-yahoo-no-such-user',
    name: 'Yahoo: no such recipient (delivery error: dd)',
    type: 'HARD_BOUNCE',
    ispId: 'yahoo',
    pattern: String.raw`^5\d\d\b.*delivery error: dd (?:this user doesn't have a|not a valid recipient|.*\b(?:account|mailbox) (?:has been |is )?(?:disabled|discontinued))`,
    message: 'Mailbox does not exist',
    priority: 500,
    enabled: true,
  },
  // ---- Microsoft (Outlook.com, Hotmail)
  {
    id: 'default-microsoft-blocked',
    name: 'Outlook.com: messages from this IP were not sent',
    type: 'BOUNCE',
    ispId: 'microsoft',
    pattern: String.raw`^5\d\d\b.*(?:messages from \S+ weren't sent|\b(?:SC|OU|DY)-00\d\b)`,
    message: "Rejected by Outlook.com for the sending IP's reputation",
    priority: 300,
    enabled: true,
  },
  // ---- Mail.ru
  {
    id: 'default-mailru-invalid-mailbox',
    name: 'Mail.ru: invalid mailbox',
    type: 'HARD_BOUNCE',
    ispId: 'mailru',
    pattern: String.raw`^5\d\d\b.*invalid mailbox\. Local mailbox \S+ is unavailable: (?:user not found|account is disabled|user is terminated)`,
    message: 'Mailbox does not exist or is disabled',
    priority: 500,
    enabled: true,
  },
  // ---- Yandex: says "no such user" under a 5.7.1 code
  {
    id: 'default-yandex-no-such-user',
    name: 'Yandex: no such user',
    type: 'HARD_BOUNCE',
    ispId: 'yandex',
    pattern: String.raw`^5\d\d\b.*no such user`,
    message: 'Mailbox does not exist',
    priority: 500,
    enabled: true,
  },
  // ---- Comcast
  {
    id: 'default-comcast-not-our-customer',
    name: 'Comcast: not our customer',
    type: 'HARD_BOUNCE',
    ispId: 'comcast',
    pattern: String.raw`^5\d\d\b.*not our customer`,
    message: 'Mailbox does not exist',
    priority: 500,
    enabled: true,
  },

  // ==== All ISPs: SOFT_BOUNCE
  {
    id: 'default-mailbox-full',
    name: 'Mailbox full or over quota',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`quota|mail ?box (?:is |was )?full|full mail ?box|mail ?box (?:\S+ ){0,2}?(?:exceed|over (?:its |the )?(?:size |storage )?(?:limit|size|quota)|reached (?:its |the )?(?:maximum|max|size|storage|limit))|mailbox size limit|(?:insufficient|not enough) (?:disk |storage )?(?:space|storage)|(?:disk|storage) (?:space )?(?:is )?full|out of storage|exhausted (?:allowed )?storage|(?:disk|storage|mailbox) (?:space )?(?:is |has been )?(?:exhausted|used up)|mail ?box (?:\S+ ){0,2}?too many messages|\b(?:account|inbox) (?:is )?full\b|(?:account|mailbox|inbox) storage limit|exceeded storage allocation|folder (?:is )?full|too many messages (?:on the server|in (?:the|this) mailbox)|(?:^|[\s#(-])[45]\.2\.2\b|\bpleine\b|postfach (?:ist )?voll`,
    message: 'Mailbox full',
    priority: 100,
    enabled: true,
  },
  {
    // Mailbox full in the words of other languages (German, French, Spanish, Italian, Portuguese, Dutch,
    // Polish, Czech, Russian, Chinese, Japanese, Korean, Turkish).
    id: 'default-mailbox-full-intl',
    name: 'Mailbox full (other languages)',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`speicher(?:volumen|platz|kapazität)|zu ?viele (?:mails|nachrichten)|postfach (?:ist )?(?:überfüllt|übervoll)|bo[iî]te (?:aux lettres |mail )?(?:est )?pleine|espace (?:de stockage )?insuffisant|(?:buz[oó]n|correo|casilla) (?:\S+ ){0,2}?llen[oa]|espacio insuficiente|cuota (?:excedida|superada)|casella (?:\S+ ){0,2}?piena|spazio (?:su disco )?esaurito|caixa (?:\S+ ){0,2}?(?:cheia|lotada)|espa[çc]o insuficiente|(?:postvak|brievenbus) (?:is )?vol\b|skrzynk\S* (?:\S+ ){0,2}?(?:pełna|przepełniona|zapełniona)|schránka (?:\S+ )?(?:plná|přeplněná)|ящик\S* (?:\S+ ){0,3}?переполнен|превышен\S* (?:\S+ )?(?:квот|лимит|объ[её]м)|空间不足|容量不足|(?:邮箱|信箱|空间|容量)已满|容量(?:オーバー|超過)|(?:メールボックス|メール ?ボックス)(?:が|は)?(?:一杯|いっぱい|満杯)|(?:메일함|사서함|편지함)\S* (?:가득|용량)|용량 (?:초과|부족)|posta kutusu dolu|kota aşıldı`,
    message: 'Mailbox full',
    priority: 101,
    enabled: true,
  },
  {
    // Providers answer rate and sending limits with 5xx codes too, and document them as temporary.
    id: 'default-rate-limit-any-code',
    name: 'Rate or sending limit reached (any code)',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`rate[ -]limit|receiving (?:e-?)?mail (?:too quickly|at a rate)|(?:daily|hourly|per[ -]hour|per[ -]day) (?:\S+ ){0,5}?limit|(?:sending|relay|receive|recipient|submission|connection) (?:\S+ ){0,2}?limits? (?:\S+ )?(?:exceeded|reached)|exceeded (?:\S+ ){0,2}?(?:permitted|sending) limits|too many (?:messages|connections)\b|reached your (?:daily|hourly) limit`,
    message: 'Rate or sending limit reached, will retry',
    priority: 112,
    enabled: true,
  },
  {
    // The sending MTA gave up after retrying: the recipient may be fine.
    id: 'default-delivery-expired',
    name: 'Delivery time expired',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`(?:message|delivery time|queue\.?) ?expired|expired in (?:the )?queue|retry time(?:out)? (?:exceeded|not reached)|tiempo de entrega vencido|could not be delivered within|in the queue too long|stopped trying`,
    message: 'Delivery time expired, will retry',
    priority: 115,
    enabled: true,
  },
  {
    id: 'default-greylisted',
    name: 'Greylisted',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`^4\d\d\b.*(?:greylist|graylist|grey-list)`,
    message: 'Greylisted, will retry',
    priority: 110,
    enabled: true,
  },
  {
    id: 'default-rate-limited',
    name: 'Rate limited (4xx)',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`^#?4(?:\d\d|\.\d{1,3}\.\d{1,3})\b.*(?:rate limit|too (?:many|fast|quickly)|frequency|deferred|throttl)`,
    message: 'Rate limited by the receiving server, will retry',
    priority: 110,
    enabled: true,
  },
  {
    // Text not led by a reply code (an MTA's own words, "smtp; 450 4.1.1 …", "Remote Server returned
    // '450 4.1.1 …'") that says the failure is temporary: the hard bounce rules would not see the 4xx.
    id: 'default-temporary-failure-without-code',
    name: 'Temporary failure (no leading reply code)',
    type: 'SOFT_BOUNCE',
    ispId: null,
    pattern: String.raw`^[^\d#].*(?:try again later|not found, try again|temporar(?:y|ily)|timed out|timeout|deferred|delayed|connection (?:refused|reset)|[\s'"(#]4\.\d\.\d{1,3}\b)`,
    message: 'Temporary failure, will retry',
    priority: 120,
    enabled: true,
  },

  // ==== All ISPs: BOUNCE
  {
    id: 'default-blocklisted',
    name: 'Sender on a blocklist or with a bad reputation',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:black ?-?list|block ?-?list|\bblocked\b|\brbl\b|dnsbl|spamhaus|spamcop|sorbs|barracuda|uceprotect|cloudmark|junkemailfilter|hostkarma|reputation|\blisted (?:at|on|by)\b)`,
    message: 'Sender blocked: listed on a blocklist or poor reputation',
    priority: 300,
    enabled: true,
  },
  {
    id: 'default-spam',
    name: 'Rejected as spam',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\bspam\b|\bspammer|junk ?mail|unsolicited|bulk (?:mail|e-?mail)|mass mail|phish|suspicious|\bscam\b)`,
    message: 'Message rejected as spam',
    priority: 310,
    enabled: true,
  },
  {
    id: 'default-content-rejected',
    name: 'Content rejected (virus, attachment, filter)',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:virus|malware|infected|attachment|content (?:rejected|filter)|message content|\bfilter|8-bit data)`,
    message: 'Message content rejected',
    priority: 320,
    enabled: true,
  },
  {
    id: 'default-authentication',
    name: 'Authentication failed (DMARC, SPF, DKIM)',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\bdmarc\b|\bspf\b|\bdkim\b|authenticat|spoof)`,
    message: 'Sender authentication failed (DMARC, SPF or DKIM)',
    priority: 330,
    enabled: true,
  },
  {
    id: 'default-reverse-dns',
    name: 'Missing reverse DNS or bad sender DNS',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\bptr\b|reverse dns|reverse lookup|\brdns\b|(?:bad|invalid) dns|cannot find your (?:hostname|reverse))`,
    message: 'Sending server rejected: missing reverse DNS or bad DNS records',
    priority: 340,
    enabled: true,
  },
  {
    id: 'default-sender-rejected',
    name: 'Sender address rejected',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\bsender\b.{0,30}?\b(?:rejected|refused|denied|blocked|invalid|not allowed|unknown|not verified|verify failed|verification failed|does not exist|doesn't exist|not found)\b|(?:invalid|unknown|bad|unroutable|unrouteable|unverifiable|unverifyable) sender|domain of sender|sender domain|mail ?from domain|from:? header|\byour account\b|\bsending\b.{0,40}?\b(?:disabled|suspended|not allowed)\b|emetteur|exp[eé]diteur|absender|remitente|remetente|mittente|nadawc|отправител|发件人|寄件人|送信者|差出人|발신자|ihr konto|votre compte|su cuenta|sua conta|il tuo account|ваш (?:аккаунт|ящик)|(?:^|[\s#(-])5\.1\.[78]\b)`,
    message: 'Sender address rejected',
    priority: 350,
    enabled: true,
  },
  {
    id: 'default-message-too-large',
    name: 'Message too large',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:message (?:\S+ )?(?:size|too (?:big|large|long))|size (?:limit|exceeds)|exceed\w* (?:the )?(?:max|maximum|size)|too (?:big|large)|(?:^|[\s#(-])5\.(?:2\.3|3\.4)\b)`,
    message: 'Message too large',
    priority: 360,
    enabled: true,
  },
  {
    id: 'default-policy',
    name: 'Rejected by policy or relaying denied',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:polic(?:y|ies)|relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)|not (?:permitted|allowed) to relay|rcpthosts|too many (?:invalid |unknown |bad )?recipients|client host|\bhelo\b|\behlo\b|host network not allowed|not rfc ?\d+ compliant|smtp server of your isp|dial-?up|dynamic ip)`,
    message: "Rejected by the receiving server's policy",
    priority: 370,
    enabled: true,
  },

  // ==== All ISPs: HARD_BOUNCE
  {
    id: 'default-exchange-recipient-not-found',
    name: 'Exchange: recipient not found',
    type: 'HARD_BOUNCE',
    ispId: null,
    // 5.4.1 "Access denied" is Exchange Online's directory-based edge blocking: no such recipient.
    pattern: String.raw`${NOT_4XX}(?:RecipientNotFound|RecipNotFound|Recipient not found by SMTP address lookup|5\.4\.1 (?:\S+ )?Recipient address rejected: Access denied)`,
    message: 'Mailbox does not exist',
    priority: 500,
    enabled: true,
  },
  {
    id: 'default-user-unknown',
    name: 'User unknown',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\b(?:user ?(?:name)?|address|addressee|recipient|mailbox) (?:is )?unknown|unavailable (?:mail ?)?(?:user|mailbox|recipient)|unknown (?:user|recipient|local ?part|mailbox|address|alias)|unknown or illegal (?:user|alias)|no[ _]such[ _](?:user|mailbox|recipient|address|account|local user|person)|not a (?:known|local) (?:user|recipient)|not listed in (?:the )?(?:public name|domino directory|directory)|directorio de domino|annuaire domino|domino ?ディレクトリ|utilisateur inconnu|destinataire inconnu|usuario desconocido|utente sconosciuto|nie istnieje|n'existe pas|existiert nicht|no existe|non esiste)`,
    message: 'Mailbox does not exist',
    priority: 510,
    enabled: true,
  },
  {
    // A missing recipient in the words of other languages, and Exchange's localized non-delivery texts.
    id: 'default-user-unknown-intl',
    name: 'Recipient does not exist (other languages)',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:(?:benutzer|empfänger|empfaenger|postfach|adresse) (?:ist )?(?:nicht bekannt|unbekannt)|wurde nicht in \S+ gefunden|adresse (?:\S+ ){0,3}?(?:inconnue|introuvable|inexistante)|n'accepte plus de messages|(?:usuario|usuário|utente|cuenta|conta|indirizzo|casella|direcci[oó]n|endere[çc]o|destinatario|destinatário) (?:\S+ )?(?:inexistente|inesistente|desconhecid[oa])|n[ãa]o existe|(?:onbekende|ongeldige) (?:gebruiker|ontvanger)|(?:gebruiker|ontvanger|adres) (?:\S+ )?(?:onbekend|bestaat niet)|nieznan\S* (?:użytkownik|adresat|odbiorca)|(?:adresát|uživatel|schránka) (?:\S+ )?neexistuje|(?:пользовател|получател|адресат|ящик|аккаунт)\S* (?:\S+ ){0,2}?(?:не существует|не найден)|(?:用户|用户名|收件人|帐号|账号|帐户|账户|地址|邮箱)不存在|未开通|(?:ユーザー?|アカウント|宛先|受信者)(?:は|が)?(?:存在しません|見つかりません|登録されていません)|宛先不明|존재하지 않는 (?:사용자|계정|메일|주소|아이디)|(?:사용자|수신자|계정)\S* 존재하지 않|(?:kullanıcı|alıcı|posta kutusu) bulunamadı|böyle bir kullanıcı yok)`,
    message: 'Mailbox does not exist',
    priority: 515,
    enabled: true,
  },
  {
    id: 'default-mailbox-not-found',
    name: 'Mailbox not found',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\b(?:user|recipient|mail-?box|address|account|addressee)\b.{0,60}?\b(?:does not|doesn'?t|dosen'?t|did not|does no|not) exists?|\b(?:user|recipient|mail-?box|account|address) (?:\S+ )?not found|\b(?:user|recipient|mail-?box|address)\b.{0,30}?\bcould(?:n't| not) be found|no (?:account|mailbox) (?:here )?by that name|mailbox unavailable|badrcptto|no valid recipients|\b(?:user|recipient|addressee) (?:does not|doesn't) have an? (?:\S+ )?account|wasn't found at \S|\bnon-?existent (?:user|recipient|mailbox|address|account)|\binexistent (?:user|recipient|mailbox|address|account)|no longer accepts? (?:messages|mail|e-?mail))`,
    message: 'Mailbox does not exist',
    priority: 520,
    enabled: true,
  },
  {
    id: 'default-invalid-recipient',
    name: 'Invalid recipient address',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:invalid (?:recipient|mailbox|user|address|e-?mail address)|not a valid (?:recipient|mailbox|user|address|e-?mail address)|bad[ _](?:recipient|destination mailbox)|\b(?:recipient|user|mailbox|address) (?:address )?(?:is )?(?:marked as )?invalid|\b(?:recipient|mailbox|e-?mail address)\S* (?:isn't|is not) valid|bad (?:recipient )?address syntax|destinataire invalide|adresse invalide)`,
    message: 'Invalid recipient address',
    priority: 530,
    enabled: true,
  },
  {
    id: 'default-recipient-rejected',
    name: 'Recipient rejected, no reason given',
    type: 'HARD_BOUNCE',
    ispId: null,
    // The whole reply is "550 <address> recipient rejected": sendmail's wording for an unknown user.
    pattern: String.raw`^5\d\d(?: 5\.1\.\d{1,3})? <[^<>\s]+>:? recipient rejected\.?$`,
    message: 'Mailbox does not exist',
    priority: 540,
    enabled: true,
  },
  {
    id: 'default-account-disabled',
    name: 'Account disabled or inactive',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:\b(?:account|mail-?box|user|address|recipient)\b.{0,40}?\b(?:disabled|deactivated|suspended|inactive|locked|frozen|discontinued)\b|\b(?:account|mail-?box) (?:is |was |has been |has )?(?:closed|expired|terminated)\b|AccountDisabled|UserDisabled|\b(?:disabled|deactivated|inactive|suspended|closed|expired|deleted|cancell?ed) (?:recipient|account|mailbox|user)\b|\b(?:account|mail-?box) (?:has been |was |is )?(?:deleted|removed|cancell?ed)\b|not an active (?:address|user|account|mailbox)|no longer (?:in use|active|valid|available))`,
    message: 'Mailbox disabled or inactive',
    priority: 550,
    enabled: true,
  },
  {
    id: 'default-account-disabled-intl',
    name: 'Account disabled or expired (other languages)',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:(?:konto|postfach|benutzer)\S* (?:\S+ ){0,2}?(?:deaktiviert|gesperrt|gelöscht)|compte (?:\S+ ){0,2}?(?:désactivé|suspendu|supprimé|fermé)|(?:cuenta|casilla|buz[oó]n|conta|caixa) (?:\S+ ){0,2}?(?:desactivad[ao]|desativad[ao]|suspendid[ao]|suspens[ao]|cancelad[ao]|expirad[ao])|account (?:\S+ )?(?:disattivato|sospeso)|(?:аккаунт|ящик|учетная запись)\S* (?:\S+ ){0,2}?(?:заблокирован|отключен|удал[её]н)|(?:帐号|账号|帐户|账户)(?:已被|已|被)?(?:冻结|停用|禁用|注销)|(?:用户|邮箱)(?:已被|已|被)?(?:冻结|停用|禁用|注销)|(?:アカウント|ユーザー?)(?:は|が)?(?:停止|無効|凍結)|(?:계정|사용자)\S* (?:정지|비활성|휴면))`,
    message: 'Mailbox disabled or inactive',
    priority: 555,
    enabled: true,
  },
  {
    id: 'default-domain-not-found',
    name: 'Recipient domain does not exist',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`${NOT_4XX}(?:host unknown|unknown host|host ?name (?:is )?unknown|mx records? point to non-?existent hosts?|host or domain name not found|host not found|domain (?:name )?not found|no such domain|(?:invalid|unknown|non-?existent) ?domain|domain (?:\S+ )?(?:does not|doesn't) exist|DomainNonexistent|indicated no smtp service|null ?mx|^521\b.*does not accept mail|unrouteable address)`,
    message: 'Recipient domain does not exist',
    priority: 560,
    enabled: true,
  },
  {
    // RFC 3463: 5.1.1 bad mailbox, 5.1.2 bad domain, 5.1.3 bad address syntax, 5.1.6 mailbox moved,
    // 5.1.10 (Exchange) recipient not found. Last of the hard bounces: the words above say it better.
    id: 'default-bad-destination-status',
    name: 'Bad destination address (status 5.1.1, 5.1.2, 5.1.3, 5.1.6, 5.1.10)',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: String.raw`^#?(?:5\d\d[ -])?5\.1\.(?:1|2|3|6|10)\b|${NOT_4XX}\(#5\.1\.[12]\)`,
    message: 'Recipient address does not exist',
    priority: 590,
    enabled: true,
  },

  // ==== All ISPs: any other security rejection
  {
    id: 'default-security-rejection',
    name: 'Rejected for security reasons (5.7.x)',
    type: 'BOUNCE',
    ispId: null,
    pattern: String.raw`^#?(?:5\d\d[ -])?5\.7\.\d{1,3}\b`,
    message: "Rejected by the receiving server's security policy",
    priority: 900,
    enabled: true,
  },
];
