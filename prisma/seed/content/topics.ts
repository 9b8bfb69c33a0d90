import type { CxFunction } from '../../../src/generated/prisma/client.ts';

/**
 * What customers of "Lumen Home" (smart lighting, a home hub and the Lumen Plus subscription)
 * get in touch about. Each topic carries the lines a real thread on it would contain; `{order}`
 * is replaced by an order number.
 */
export interface Topic {
  key: string;
  function: CxFunction;
  product: string;
  tags: string[];
  subject: string;
  opener: string[];
  details: string[];
  ask: string[];
  answer: string[];
  fix: string[];
  note: string[];
  /** Help-center article the bot suggests. */
  article: string;
  ticketSubject: string;
  /** Can be reported as an incident of a wider problem. */
  problem?: string;
}

export const TOPICS: readonly Topic[] = [
  {
    key: 'order-status', function: 'SERVICE', product: 'Webshop', tags: ['orders', 'delivery'],
    subject: 'Where is my order {order}?',
    opener: ['Hi, I ordered a starter kit a week ago (order {order}) and it still has not arrived. Can you check?', 'My order {order} says "shipped" since Monday but tracking has not moved. Where is it?'],
    details: ['The tracking number is the one in the confirmation email. I am home every day after 5pm.', 'Delivery address is still the same as on my account.'],
    ask: ['Could you confirm the delivery address for order {order}? I want to rule out a typo before I contact the carrier.'],
    answer: ['I checked with the carrier: your parcel was held at the local depot because of a sorting delay. It is back on the truck and should arrive within two working days.'],
    fix: ['Good news: the carrier confirms delivery is scheduled for tomorrow. I have also refunded the shipping fee for the trouble.'],
    note: ['Carrier ticket opened with DHL, reference attached. Depot backlog in the region this week.'],
    article: 'track-your-order', ticketSubject: 'Parcel for order {order} stuck at carrier depot',
  },
  {
    key: 'refund', function: 'SERVICE', product: 'Webshop', tags: ['billing', 'refund'],
    subject: 'Refund for returned bulbs',
    opener: ['I sent back two bulbs from order {order} three weeks ago and have not seen a refund yet.', 'Hello, I would like a refund for order {order}, the colour bulbs do not fit my lamps.'],
    details: ['I used the prepaid return label. The return was dropped off on the 3rd.', 'Payment was by credit card.'],
    ask: ['Can you share the return tracking number so I can match the parcel in our warehouse?'],
    answer: ['The return arrived at our warehouse and passed inspection. I have started the refund to your original payment method.'],
    fix: ['The refund of order {order} is processed; depending on your bank it shows up within 3–5 working days.'],
    note: ['Return received, condition OK. Refund approved under the 30-day policy.'],
    article: 'return-policy', ticketSubject: 'Refund request for order {order}',
  },
  {
    key: 'billing-charge', function: 'SERVICE', product: 'Lumen Plus', tags: ['billing', 'subscription'],
    subject: 'Charged twice for Lumen Plus',
    opener: ['I was charged twice for Lumen Plus this month. Please refund the duplicate charge.', 'Why is there a second Lumen Plus charge on my card statement?'],
    details: ['Both charges are from the 1st, same amount.', 'I only have one account as far as I know.'],
    ask: ['Could you send me the last four digits of the card that was charged? I will look up both transactions.'],
    answer: ['I see it: a retry from our payment provider captured the payment twice. The second charge is being reversed now.'],
    fix: ['The duplicate charge has been refunded. You will see the reversal on your statement within a few days.'],
    note: ['Duplicate capture from payment provider retry. Flagged to billing team for the incident report.'],
    article: 'understanding-your-invoice', ticketSubject: 'Duplicate Lumen Plus charge',
  },
  {
    key: 'change-plan', function: 'SERVICE', product: 'Lumen Plus', tags: ['subscription', 'plan-change'],
    subject: 'Switch to the yearly plan',
    opener: ['Can I switch my Lumen Plus subscription from monthly to yearly without losing my automations?', 'I want to downgrade to the free plan at the end of this billing period.'],
    details: ['I would like the change to start with my next billing date.'],
    ask: ['Should the change take effect immediately or at your next renewal date?'],
    answer: ['Your automations, scenes and history stay exactly as they are when you change plans.'],
    fix: ['Done: your plan changes at the next renewal and the new price is shown under Account > Subscription.'],
    note: ['Customer eligible for the loyalty discount on yearly plans; applied.'],
    article: 'change-your-plan', ticketSubject: 'Plan change request',
  },
  {
    key: 'cancel', function: 'SERVICE', product: 'Lumen Plus', tags: ['subscription', 'cancellation'],
    subject: 'Cancel my subscription',
    opener: ['Please cancel my Lumen Plus subscription.', 'How do I cancel? I cannot find the option in the app.'],
    details: ['I am moving and will not need the remote access features anymore.'],
    ask: ['Before I cancel: would pausing the subscription for three months work for you instead?'],
    answer: ['You can cancel in the app under Account > Subscription > Cancel, or I can do it for you right now.'],
    fix: ['Your subscription is cancelled; you keep Lumen Plus features until the end of the paid period.'],
    note: ['Retention offer declined. Reason: moving house.'],
    article: 'cancel-your-subscription', ticketSubject: 'Subscription cancellation',
  },
  {
    key: 'address-change', function: 'SERVICE', product: 'Webshop', tags: ['orders', 'account'],
    subject: 'Change delivery address',
    opener: ['I just placed order {order} with my old address. Can you change it before it ships?'],
    details: ['The new address is in the note I added to my account.'],
    ask: ['Could you confirm the full new address including the postcode?'],
    answer: ['The order had not left the warehouse yet, so I could update the address.'],
    fix: ['Order {order} will now ship to your new address. You will get a new tracking link by email.'],
    note: ['Address changed in the warehouse system before pick.'],
    article: 'track-your-order', ticketSubject: 'Address change for order {order}',
  },
  {
    key: 'warranty', function: 'SERVICE', product: 'Lumen Bulb E27', tags: ['warranty', 'replacement'],
    subject: 'Bulb stopped working after 4 months',
    opener: ['One of my E27 bulbs flickers and then turns off. It is only four months old.', 'A bulb from order {order} died. Is this covered by warranty?'],
    details: ['I tried it in a different lamp, same problem.', 'It is the colour bulb, not the white one.'],
    ask: ['Could you send a short video of the flickering? That helps us decide between replacement and repair.'],
    answer: ['That is covered by our two-year warranty. No need to send the old bulb back.'],
    fix: ['A replacement bulb is on its way; you will get the tracking link shortly.'],
    note: ['Known flicker issue with batch 2311; replacement approved without return.'],
    article: 'warranty-and-replacements', ticketSubject: 'Warranty replacement for faulty bulb',
  },
  {
    key: 'invoice-copy', function: 'SERVICE', product: 'Webshop', tags: ['billing', 'invoice'],
    subject: 'Invoice with company VAT number',
    opener: ['I need an invoice for order {order} with our company name and VAT number on it.'],
    details: ['Our VAT number is on the purchase order I attached.'],
    ask: ['Which company name should appear on the invoice exactly?'],
    answer: ['I have reissued the invoice with your company details.'],
    fix: ['The corrected invoice for order {order} is attached and also available in your account.'],
    note: ['Invoice reissued; original cancelled in the accounting system.'],
    article: 'understanding-your-invoice', ticketSubject: 'Reissue invoice for order {order}',
  },
  {
    key: 'login', function: 'SUPPORT', product: 'Lumen App', tags: ['account', 'login'],
    subject: 'Cannot log in to the app',
    opener: ['I cannot log in to the Lumen app, it says my password is wrong but I am sure it is right.', 'The password reset email never arrives.'],
    details: ['I checked the spam folder, nothing there.', 'I use the iOS app, latest version.'],
    ask: ['Which email address do you use to sign in? I will check whether the reset emails were delivered.'],
    answer: ['Our mail provider had bounced your address after an earlier delivery failure. I have cleared the block.'],
    fix: ['Please request a new reset link now, it should arrive within a minute. Let me know if it does not.'],
    note: ['Email was on the suppression list after a bounce in March; removed.'],
    article: 'reset-your-password', ticketSubject: 'Password reset emails not delivered',
  },
  {
    key: 'hub-offline', function: 'SUPPORT', product: 'Lumen Hub 2', tags: ['hub', 'connectivity'],
    subject: 'Hub keeps going offline',
    opener: ['My Lumen Hub goes offline several times a day and my automations stop working.', 'The hub LED blinks orange and the app says "Hub unreachable".'],
    details: ['It is connected by Wi-Fi, about 5 metres from the router.', 'Restarting the hub helps for a few hours.'],
    ask: ['Could you send me the hub diagnostics? In the app: Settings > Hub > Send diagnostics.'],
    answer: ['The diagnostics show the hub losing its Wi-Fi connection on channel 13. Could you try setting your router to a channel between 1 and 11?'],
    fix: ['The hub has been online for 48 hours now. I am marking this as solved; reply if it drops again.'],
    note: ['Diagnostics: repeated DHCP renew failures. Matches the firmware 4.2 Wi-Fi regression.'],
    article: 'hub-offline-troubleshooting', ticketSubject: 'Hub drops Wi-Fi connection',
    problem: 'Firmware 4.2 drops Wi-Fi on some routers',
  },
  {
    key: 'pairing', function: 'SUPPORT', product: 'Lumen Bulb E27', tags: ['pairing', 'bulbs'],
    subject: 'New bulb will not pair',
    opener: ['My new bulb does not show up when I try to add it in the app.', 'Pairing fails at 90% every time for the new colour bulb.'],
    details: ['The other bulbs in the same room work fine.', 'I reset the bulb by switching it on and off five times.'],
    ask: ['Which hub firmware version do you see under Settings > Hub > About?'],
    answer: ['Please move the bulb closer to the hub for pairing and keep the app open until it finishes; the first firmware update on the bulb takes a few minutes.'],
    fix: ['Great to hear the bulb is paired now. The update it needed is installed, so this will not happen again.'],
    note: ['Bulb on old firmware 1.0.3, needs OTA before pairing completes.'],
    article: 'pair-a-new-bulb', ticketSubject: 'Bulb pairing fails at 90%',
  },
  {
    key: 'app-crash', function: 'SUPPORT', product: 'Lumen App', tags: ['app', 'bug'],
    subject: 'App crashes when opening scenes',
    opener: ['The Android app crashes every time I open the Scenes tab.', 'Since the last update the app closes as soon as I tap a room.'],
    details: ['Pixel 7, Android 14, app version 5.3.0.', 'Reinstalling did not help.'],
    ask: ['Could you tell me your phone model and app version? You find the version under Settings > About.'],
    answer: ['Our developers found the cause: scenes with more than 20 lights crash version 5.3.0. A fix is in review.'],
    fix: ['Version 5.3.1 with the fix is out now. After updating, the Scenes tab opens normally.'],
    note: ['Reproduced on Android 14 with >20 lights in a scene. Linked to the crash cluster in Sentry.'],
    article: 'app-troubleshooting', ticketSubject: 'App crash on Scenes tab',
    problem: 'App 5.3.0 crashes on scenes with more than 20 lights',
  },
  {
    key: 'automation', function: 'SUPPORT', product: 'Lumen Hub 2', tags: ['automations'],
    subject: 'Sunset automation runs at the wrong time',
    opener: ['My "lights on at sunset" automation runs an hour late.', 'Automations stopped triggering after the clocks changed.'],
    details: ['My location in the app is set correctly.', 'Manual control works, only the schedules are off.'],
    ask: ['Is the time zone under Settings > Home set to your current time zone?'],
    answer: ['The hub kept the old daylight-saving offset. Restarting it from the app makes it pick up the new one.'],
    fix: ['After the restart your automations run on time again. We are adding a permanent fix in the next firmware.'],
    note: ['DST offset not refreshed on hubs with uptime > 90 days.'],
    article: 'automations-not-running', ticketSubject: 'Schedules off by one hour after DST change',
    problem: 'Hub keeps old DST offset until restart',
  },
  {
    key: 'voice-assistant', function: 'SUPPORT', product: 'Integrations', tags: ['integrations', 'voice'],
    subject: 'Alexa does not find my lights',
    opener: ['Alexa says "device is not responding" for all my Lumen lights.', 'I linked the Lumen skill but Google Home shows no devices.'],
    details: ['The lights work fine in the Lumen app.', 'I already unlinked and relinked the skill once.'],
    ask: ['Which email is the Lumen account you linked in the Alexa app? Sometimes a second account gets linked by mistake.'],
    answer: ['Your voice assistant was linked to an older, empty Lumen account. Please unlink and sign in with your current one.'],
    fix: ['All 14 lights now show up in Alexa. Enjoy!'],
    note: ['Two accounts with the same name; customer linked the old one.'],
    article: 'connect-voice-assistants', ticketSubject: 'Voice assistant cannot see lights',
  },
  {
    key: 'firmware', function: 'SUPPORT', product: 'Lumen Hub 2', tags: ['firmware', 'hub'],
    subject: 'Firmware update stuck',
    opener: ['The hub firmware update has been stuck at 45% for an hour.', 'Update failed and now the hub LED is red.'],
    details: ['I have not unplugged it yet.', 'The hub is on Ethernet.'],
    ask: ['Is the hub LED red, orange or blinking white right now?'],
    answer: ['Please keep it plugged in; the hub falls back to the previous firmware after 90 minutes and retries the update at night.'],
    fix: ['The hub is on the new firmware now and all devices reconnected.'],
    note: ['Update server returned 503 between 02:00 and 03:10 UTC; affected hubs retry automatically.'],
    article: 'update-firmware', ticketSubject: 'Hub firmware update stuck',
    problem: 'Firmware rollout stalls when update server is overloaded',
  },
  {
    key: 'data-export', function: 'SUPPORT', product: 'Lumen App', tags: ['privacy', 'account'],
    subject: 'Export my data',
    opener: ['How can I export all data you store about me?', 'I would like a copy of my account data under GDPR.'],
    details: ['Please send it to the email on my account.'],
    ask: ['For your security, could you confirm the request from the email address on your account?'],
    answer: ['I have started the export; it includes your account, devices, automations and energy history.'],
    fix: ['Your data export is ready; the download link was sent to your email and is valid for 7 days.'],
    note: ['GDPR export requested; identity confirmed via account email.'],
    article: 'export-your-data', ticketSubject: 'GDPR data export request',
  },
];

export const SERVICE_TOPICS = TOPICS.filter((t) => t.function === 'SERVICE');
export const SUPPORT_TOPICS = TOPICS.filter((t) => t.function === 'SUPPORT');
/** Topics that can be incidents of a known problem. */
export const PROBLEM_TOPICS = TOPICS.filter((t) => t.problem !== undefined);
