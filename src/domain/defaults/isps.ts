import type { IspFields } from '../types.js';

/**
 * An ISP shipped with the service. The id is a stable slug: it becomes the stream id `isp-<id>` and
 * default patterns point to it, so it must never change between releases (rename the `name` instead).
 */
export type DefaultIsp = { readonly id: string } & IspFields;

/**
 * The big mailbox providers, by the recipient domains they serve. A recipient's domain is resolved
 * most specific first (`x.mail.protection.outlook.com` → … → `outlook.com`), so a provider's
 * infrastructure sub-domain may belong to another ISP than its parent (office365 under outlook.com).
 */
export const DEFAULT_ISPS: readonly DefaultIsp[] = [
  { id: 'gmail', name: 'Gmail', domains: ['gmail.com', 'googlemail.com'] },
  {
    id: 'microsoft',
    name: 'Microsoft (Outlook.com, Hotmail, Live, MSN)',
    domains: [
      'outlook.com', 'outlook.fr', 'outlook.de', 'outlook.es', 'outlook.it', 'outlook.jp', 'outlook.com.br',
      'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.it', 'hotmail.es', 'hotmail.be',
      'hotmail.nl', 'hotmail.ca', 'hotmail.com.br', 'hotmail.co.jp',
      'live.com', 'live.co.uk', 'live.fr', 'live.de', 'live.it', 'live.nl', 'live.be', 'live.ca', 'live.com.au',
      'live.jp', 'msn.com', 'passport.com', 'windowslive.com',
    ],
  },
  {
    // Business mailboxes live on the customers' own domains; only the service's hosts identify it.
    id: 'office365',
    name: 'Microsoft 365 (Exchange Online)',
    domains: ['mail.protection.outlook.com', 'protection.outlook.com', 'onmicrosoft.com'],
  },
  {
    id: 'yahoo',
    name: 'Yahoo (with AOL and Verizon)',
    domains: [
      'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'yahoo.it', 'yahoo.es', 'yahoo.ca', 'yahoo.ie', 'yahoo.gr',
      'yahoo.se', 'yahoo.dk', 'yahoo.no', 'yahoo.be', 'yahoo.at', 'yahoo.co.nz', 'yahoo.co.in', 'yahoo.in',
      'yahoo.co.id', 'yahoo.com.au', 'yahoo.com.br', 'yahoo.com.mx', 'yahoo.com.ar', 'yahoo.com.sg',
      'yahoo.com.ph', 'yahoo.com.tw', 'yahoo.com.hk', 'yahoo.com.vn',
      'ymail.com', 'rocketmail.com',
      'aol.com', 'aol.co.uk', 'aol.fr', 'aol.de', 'aim.com', 'netscape.net', 'verizon.net',
    ],
  },
  { id: 'icloud', name: 'Apple iCloud Mail', domains: ['icloud.com', 'me.com', 'mac.com'] },
  { id: 'mailru', name: 'Mail.ru', domains: ['mail.ru', 'inbox.ru', 'list.ru', 'bk.ru', 'internet.ru'] },
  {
    id: 'yandex',
    name: 'Yandex',
    domains: ['yandex.ru', 'yandex.com', 'ya.ru', 'yandex.by', 'yandex.kz', 'yandex.ua', 'yandex.com.tr', 'narod.ru'],
  },
  {
    id: 'gmx',
    name: 'GMX and WEB.DE',
    domains: ['gmx.de', 'gmx.net', 'gmx.com', 'gmx.at', 'gmx.ch', 'gmx.fr', 'gmx.co.uk', 'web.de', 'mail.com'],
  },
  { id: 'comcast', name: 'Comcast Xfinity', domains: ['comcast.net'] },
  { id: 'orange', name: 'Orange', domains: ['orange.fr', 'wanadoo.fr'] },
  { id: 'qq', name: 'Tencent QQ Mail', domains: ['qq.com', 'foxmail.com'] },
  {
    id: 'att',
    name: 'AT&T',
    domains: [
      'att.net', 'sbcglobal.net', 'bellsouth.net', 'pacbell.net', 'swbell.net', 'ameritech.net', 'flash.net',
      'prodigy.net', 'snet.net', 'nvbell.net', 'wans.net',
    ],
  },
  { id: 'cox', name: 'Cox', domains: ['cox.net'] },
  { id: 'spectrum', name: 'Spectrum (Charter, Road Runner)', domains: ['charter.net', 'rr.com', 'twc.com', 'roadrunner.com'] },
  { id: 'libero', name: 'Libero', domains: ['libero.it', 'inwind.it', 'iol.it', 'blu.it', 'giallo.it'] },
  { id: 'seznam', name: 'Seznam', domains: ['seznam.cz', 'email.cz', 'post.cz', 'spoluzaci.cz'] },
  { id: 't-online', name: 'T-Online', domains: ['t-online.de'] },
  { id: 'free', name: 'Free', domains: ['free.fr', 'aliceadsl.fr'] },
  { id: 'sfr', name: 'SFR', domains: ['sfr.fr', 'neuf.fr', 'cegetel.net', 'club-internet.fr'] },
  { id: 'laposte', name: 'La Poste', domains: ['laposte.net'] },
  { id: 'rambler', name: 'Rambler', domains: ['rambler.ru', 'ro.ru', 'myrambler.ru', 'autorambler.ru'] },
  { id: 'naver', name: 'Naver', domains: ['naver.com'] },
  { id: 'netease', name: 'NetEase (163.com)', domains: ['163.com', '126.com', 'yeah.net', '188.com'] },
  { id: 'zoho', name: 'Zoho Mail', domains: ['zoho.com', 'zohomail.com'] },
  { id: 'proton', name: 'Proton Mail', domains: ['protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me'] },
  { id: 'docomo', name: 'NTT Docomo', domains: ['docomo.ne.jp'] },
  { id: 'au', name: 'au by KDDI', domains: ['ezweb.ne.jp', 'au.com'] },
  { id: 'softbank', name: 'SoftBank', domains: ['softbank.ne.jp', 'i.softbank.jp'] },
];
