/**
 * How each fax-to-email gateway writes its mail. A mail is a fax when the sender and the subject match a
 * rule and it carries a PDF or TIFF. Named groups: `station` (the sending machine's TSI / station id or a
 * display name), `number` (its fax number / caller id), `pages`. Body patterns fill what the subject
 * lacks. Add a gateway by adding an entry; the formats below are the gateways' own templates.
 */
export interface FaxGatewayRule {
  id: string;
  gateway: string;
  /** Tested against `Display Name <address>` of From. */
  sender: RegExp;
  subject: RegExp[];
  body?: { station?: RegExp; number?: RegExp; pages?: RegExp };
}

export const faxGatewayRules: FaxGatewayRule[] = [
  {
    // faxrcvd: `From: The HylaFAX Receive Agent <fax@host>`, `Subject: Facsimile received from <TSI>`,
    // the body is faxinfo's listing (Sender, Pages, Quality, ..., CallID1 = caller number).
    id: 'hylafax',
    gateway: 'HylaFAX',
    sender: /HylaFAX|<(?:fax|faxmaster|uucp)@/i,
    subject: [/^Facsimile received from (?<station>.*)$/i],
    body: {
      station: /^\s*Sender:[ \t]*(?<station>\S.*)$/im,
      number: /^\s*CallID1:[ \t]*(?<number>\+?[\d\s()-]{3,})$/im,
      pages: /^\s*Pages:\s*(?<pages>\d+)/im,
    },
  },
  {
    // eFax: `From: eFax <message@inbound.efax.com>`,
    // `Subject: eFax message from "0755 8334 5678" - 3 page(s), Caller-ID: 075583345678` (Corporate: "Corporate eFax message from …").
    id: 'efax',
    gateway: 'eFax',
    sender: /@(?:[\w-]+\.)*efax\.com>?$/i,
    subject: [
      /^(?:Corporate )?eFax message from "(?<station>[^"]*)" - (?<pages>\d+) page\(s\)(?:, Caller-ID: (?<number>.+))?$/i,
      /^eFax from (?<station>.*?) [-–] (?<pages>\d+) page\(s\), caller ID: (?<number>.+)$/i,
    ],
    body: { pages: /received a (?<pages>\d+) page fax/i },
  },
  {
    // RingCentral: `From: RingCentral <notify@ringcentral.com>`, `Subject: New Fax Message from (469) 543-6401 on 07/01/2026 6:03 PM`,
    // the body lists From, Received and Pages.
    id: 'ringcentral',
    gateway: 'RingCentral',
    sender: /@(?:[\w-]+\.)*ringcentral\.com>?$/i,
    subject: [/^New Fax Message from (?<station>.+?)(?: on \d{1,2}\/\d{1,2}\/\d{2,4}.*)?$/i],
    body: { pages: /^\s*Pages?:\s*(?<pages>\d+)/im },
  },
  {
    // FusionPBX on FreeSWITCH (fax_to_email.php): `Subject: Fax Received: <caller id>-YYYY-MM-DD-hh-mm-ss` (or `[tag]: …`,
    // `Fax Received for Relay: …`), sent as the configured SMTP sender ("FusionPBX FAX" by default).
    id: 'fusionpbx',
    gateway: 'FusionPBX/FreeSWITCH',
    sender: /fusionpbx|freeswitch|\bfax\b/i,
    subject: [/^(?:Fax Received(?: for Relay)?|\[[^\]]+\]): (?<number>\+?\d*)-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/i],
    body: { pages: /^\s*Pages?:\s*(?<pages>\d+)/im },
  },
];
