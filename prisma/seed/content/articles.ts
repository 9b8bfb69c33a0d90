import type { ArticleStatus } from '../../../src/generated/prisma/client.ts';

/** Help-center categories, in display order. */
export const CATEGORIES = [
  { slug: 'getting-started', name: 'Getting started', description: 'Set up your hub, lights and account.' },
  { slug: 'account', name: 'Account & login', description: 'Sign-in, security and privacy.' },
  { slug: 'billing', name: 'Billing & subscriptions', description: 'Invoices, payments and Lumen Plus.' },
  { slug: 'orders', name: 'Orders, delivery & returns', description: 'Shipping, returns and warranty.' },
  { slug: 'devices', name: 'Hub, bulbs & devices', description: 'Connectivity, pairing and firmware.' },
  { slug: 'apps', name: 'App, automations & integrations', description: 'The Lumen app, schedules and voice assistants.' },
] as const;

export type CategorySlug = (typeof CATEGORIES)[number]['slug'];

export interface ArticleSource {
  slug: string;
  category: CategorySlug;
  title: string;
  intro: string;
  steps: string[];
  status?: ArticleStatus;
  locale?: string;
}

const a = (category: CategorySlug, slug: string, title: string, intro: string, steps: string, extra: Partial<ArticleSource> = {}): ArticleSource => ({
  category, slug, title, intro, steps: steps.split(' | '), ...extra,
});

export const ARTICLES: readonly ArticleSource[] = [
  a('getting-started', 'set-up-your-hub', 'Set up your Lumen Hub', 'The hub connects your lights to the app and runs your automations, even when your phone is away.', 'Plug the hub into power and wait until the LED blinks white | Open the Lumen app and tap **Add device > Hub** | Choose your Wi-Fi network or connect the hub with the included Ethernet cable | Wait for the LED to turn solid white'),
  a('getting-started', 'create-your-account', 'Create your Lumen account', 'You need an account to control your home from anywhere and to keep your settings when you change phones.', 'Download the Lumen app from the App Store or Google Play | Tap **Create account** and enter your email address | Confirm the link we email you'),
  a('getting-started', 'add-rooms-and-lights', 'Organise lights into rooms', 'Rooms let you switch several lights at once and make voice commands more natural.', 'Go to **Home > Rooms > New room** | Give the room a name and pick an icon | Drag lights into the room'),
  a('getting-started', 'first-scene', 'Create your first scene', 'A scene saves the brightness and colour of several lights so you can recall them with one tap.', 'Set your lights the way you like them | Tap **Scenes > Save current lights** | Name the scene, for example "Movie night"'),
  a('getting-started', 'lumen-plus-explained', 'What is included in Lumen Plus?', 'Lumen Plus adds remote access, unlimited automations, energy history and priority support.', 'Start a 30-day free trial under **Account > Subscription** | Choose monthly or yearly billing | Cancel any time before the trial ends to pay nothing'),
  a('getting-started', 'system-requirements', 'Router and phone requirements', 'Check these requirements if setup does not complete.', 'A 2.4 GHz Wi-Fi network on channels 1–11, or an Ethernet port | iOS 16 or Android 10 or later | Bluetooth enabled during setup'),
  a('getting-started', 'lumen-hub-einrichten', 'Lumen Hub einrichten', 'Der Hub verbindet Ihre Lampen mit der App und führt Automationen aus, auch wenn Ihr Telefon nicht zu Hause ist.', 'Stecken Sie den Hub ein und warten Sie, bis die LED weiß blinkt | Öffnen Sie die Lumen-App und tippen Sie auf **Gerät hinzufügen > Hub** | Wählen Sie Ihr WLAN oder verbinden Sie den Hub per Ethernet-Kabel', { locale: 'de' }),
  a('account', 'reset-your-password', 'How to reset your password', 'Forgot your password? You can set a new one in a minute.', 'On the sign-in screen, tap **Forgot password?** | Enter the email address of your account | Open the reset email and choose a new password | If no email arrives within 5 minutes, check your spam folder or contact us'),
  a('account', 'change-email', 'Change the email address of your account', 'Your email address is your sign-in name and where we send invoices.', 'Go to **Account > Profile > Email** | Enter the new address and your password | Confirm the change from the email we send to the new address'),
  a('account', 'two-step-verification', 'Turn on two-step verification', 'Two-step verification protects your home even if someone learns your password.', 'Go to **Account > Security** | Tap **Two-step verification** and scan the QR code with an authenticator app | Save your backup codes somewhere safe'),
  a('account', 'share-your-home', 'Share your home with family members', 'Everyone in your household can control the lights with their own account.', 'Go to **Home > Members > Invite** | Enter their email address | They accept the invitation in their Lumen app'),
  a('account', 'delete-your-account', 'Delete your account', 'Deleting your account removes your homes, devices and history permanently.', 'Cancel any active subscription first | Go to **Account > Privacy > Delete account** | Confirm with your password'),
  a('account', 'export-your-data', 'Export your data', 'You can download a copy of everything we store about you at any time.', 'Go to **Account > Privacy > Export data** | We prepare the export, which can take up to 24 hours | Download it from the link we email you; it is valid for 7 days'),
  a('account', 'passwort-zuruecksetzen', 'Passwort zurücksetzen', 'Passwort vergessen? So legen Sie in einer Minute ein neues fest.', 'Tippen Sie auf dem Anmeldebildschirm auf **Passwort vergessen?** | Geben Sie die E-Mail-Adresse Ihres Kontos ein | Öffnen Sie die E-Mail und wählen Sie ein neues Passwort', { locale: 'de' }),
  a('billing', 'understanding-your-invoice', 'Understanding your invoice', 'Each invoice lists your plan, the billing period, taxes and the payment method used.', 'Find all invoices under **Account > Billing > Invoices** | Prorated amounts appear when you change plans mid-period | Contact us if you see a charge you do not recognise'),
  a('billing', 'change-your-plan', 'Change your plan', 'Switch between monthly, yearly and the free plan without losing your setup.', 'Go to **Account > Subscription > Change plan** | Pick the new plan and when it should start | Review the price and confirm'),
  a('billing', 'cancel-your-subscription', 'Cancel your subscription', 'You can cancel Lumen Plus at any time; features stay active until the end of the paid period.', 'Go to **Account > Subscription > Cancel** | Tell us why you are leaving (optional) | Confirm the cancellation'),
  a('billing', 'payment-methods', 'Update your payment method', 'We accept credit cards, PayPal and SEPA direct debit.', 'Go to **Account > Billing > Payment method** | Add the new method and make it the default | Remove the old one if you like'),
  a('billing', 'failed-payments', 'What happens when a payment fails', 'If a renewal payment fails, we retry three times over seven days before pausing Lumen Plus.', 'Check that your card has not expired | Update the payment method under **Account > Billing** | We retry automatically within 24 hours'),
  a('billing', 'vat-invoices', 'Invoices with a VAT number for businesses', 'Business customers can add their company name and VAT number to invoices.', 'Go to **Account > Billing > Company details** | Enter the company name and VAT number | New invoices use these details; contact us to reissue older ones'),
  a('billing', 'student-discount', 'Student discount for Lumen Plus', 'Students get 50% off the yearly plan.', 'Verify your student status with UNiDAYS | Apply the code at checkout', { status: 'DRAFT' }),
  a('orders', 'track-your-order', 'Track your order', 'Every order gets a tracking link as soon as it leaves our warehouse.', 'Open the shipping confirmation email and tap **Track parcel** | Or go to **Account > Orders** on our website | If tracking has not moved for 3 working days, contact us'),
  a('orders', 'return-policy', 'Return policy and how to return an item', 'You can return any item within 30 days of delivery, no questions asked.', 'Go to **Account > Orders** and choose **Return items** | Print the prepaid label and drop the parcel at any carrier point | We refund you within 5 working days after the return arrives'),
  a('orders', 'warranty-and-replacements', 'Warranty and replacements', 'All Lumen devices come with a two-year warranty.', 'Contact us with your order number and a short description | We may ask for a photo or video | Approved replacements ship within 2 working days'),
  a('orders', 'shipping-countries', 'Which countries do you ship to?', 'We ship to the EU, the UK, Switzerland, Norway, the US and Canada.', 'Delivery in the EU takes 2–4 working days | Delivery to the UK, US and Canada takes 4–7 working days | Import duties outside the EU are included in the price'),
  a('orders', 'change-or-cancel-order', 'Change or cancel an order', 'Orders can be changed or cancelled until they are packed, usually within two hours.', 'Go to **Account > Orders** and open the order | Tap **Change** or **Cancel** if the option is still available | Otherwise contact us straight away'),
  a('orders', 'damaged-delivery', 'My delivery arrived damaged', 'Sorry about that! We replace damaged items free of charge.', 'Take a photo of the parcel and the item | Contact us within 14 days with your order number | Keep the packaging until the replacement arrives'),
  a('orders', 'holiday-shipping-deadlines', 'Holiday shipping deadlines', 'Order by December 18 for delivery before the holidays.', 'Standard shipping: order by December 18 | Express shipping: order by December 21', { status: 'ARCHIVED' }),
  a('devices', 'hub-offline-troubleshooting', 'Hub is offline: troubleshooting', 'If the app says "Hub unreachable", work through these steps in order.', 'Check that the hub LED is solid white; orange means no network | Restart the hub by unplugging it for 10 seconds | Make sure your router uses a Wi-Fi channel between 1 and 11 | Move the hub closer to the router or connect it with Ethernet'),
  a('devices', 'pair-a-new-bulb', 'Pair a new bulb', 'New bulbs pair in under a minute when they are close to the hub.', 'Screw in the bulb and switch it on | In the app, tap **Add device > Bulb** | Keep the app open while the bulb installs its first update'),
  a('devices', 'update-firmware', 'Update the firmware of your hub and bulbs', 'Updates install automatically at night; you can also start them yourself.', 'Go to **Settings > Hub > Firmware** | Tap **Update now** and keep the hub plugged in | The hub restarts when the update is done; bulbs update one after the other'),
  a('devices', 'reset-a-bulb', 'Factory reset a bulb', 'A reset removes the bulb from your home so it can be paired again.', 'Switch the bulb off and on five times, one second each | The bulb blinks twice when the reset worked | Pair it again from the app'),
  a('devices', 'hub-led-colours', 'What the hub LED colours mean', 'The LED on top of the hub shows its status at a glance.', 'Solid white: connected | Blinking white: ready for setup | Orange: no network | Red: update failed, the hub retries automatically'),
  a('devices', 'move-hub-to-new-network', 'Move your hub to a new network', 'Changed your router or Wi-Fi password? Reconnect the hub without losing your setup.', 'Go to **Settings > Hub > Network** | Choose **Change Wi-Fi** and follow the steps | Your lights and automations stay as they are'),
  a('devices', 'energy-monitoring', 'Energy monitoring with the smart plug', 'The Lumen smart plug measures how much energy connected devices use.', 'Pair the plug like a bulb | Open the plug in the app and tap **Energy** | Lumen Plus keeps your history for two years'),
  a('devices', 'bulb-compatibility', 'Which lamps and fixtures fit Lumen bulbs?', 'Lumen bulbs fit standard E27, E14 and GU10 sockets.', 'Check the socket type printed inside your lamp | Do not use Lumen bulbs with dimmer switches | Enclosed fixtures are fine for the white bulbs'),
  a('devices', 'hub-1-end-of-support', 'Lumen Hub 1 end of support', 'The first-generation hub no longer receives updates.', 'Check your hub model under **Settings > Hub > About** | Owners of Hub 1 get 40% off Hub 2'),
  a('devices', 'hub-offline-fehlerbehebung', 'Hub ist offline: Fehlerbehebung', 'Wenn die App "Hub nicht erreichbar" meldet, gehen Sie diese Schritte der Reihe nach durch.', 'Prüfen Sie, ob die LED des Hubs dauerhaft weiß leuchtet | Trennen Sie den Hub für 10 Sekunden vom Strom | Stellen Sie am Router einen WLAN-Kanal zwischen 1 und 11 ein', { locale: 'de' }),
  a('apps', 'app-troubleshooting', 'The app crashes or freezes', 'Most app problems are fixed by updating or clearing the app cache.', 'Update the app to the latest version | Restart your phone | On Android, clear the cache under **Settings > Apps > Lumen > Storage** | Still crashing? Send us your phone model and app version'),
  a('apps', 'automations-not-running', 'Automations do not run on time', 'Schedules use the time zone and location of your home.', 'Check **Settings > Home > Time zone** | Make sure the hub is online | Restart the hub after daylight-saving changes if times are off by an hour'),
  a('apps', 'connect-voice-assistants', 'Connect Alexa, Google Home or Siri', 'Control your lights by voice with the assistant you already use.', 'Open your assistant app and search for the Lumen skill or action | Sign in with your Lumen account | Say "discover devices"'),
  a('apps', 'sunrise-routines', 'Wake up with sunrise routines', 'A sunrise routine brightens your bedroom slowly before your alarm.', 'Go to **Automations > New > Sunrise** | Pick the lights and your wake-up time | Choose how long the sunrise should take'),
  a('apps', 'away-mode', 'Use away mode while on holiday', 'Away mode switches lights on and off in a realistic pattern while you are away.', 'Go to **Automations > Away mode** | Pick the rooms to include | Turn it on before you leave'),
  a('apps', 'home-screen-widgets', 'Control lights from home-screen widgets', 'Widgets let you switch rooms and scenes without opening the app.', 'Long-press your home screen and add the Lumen widget | Choose which rooms or scenes it shows'),
  a('apps', 'matter-support', 'Matter support (beta)', 'Lumen Hub 2 can expose your lights to other Matter controllers.', 'Join the beta under **Settings > Labs** | Scan the Matter code shown in the app with your controller', { status: 'DRAFT' }),
  a('apps', 'connect-ifttt', 'Connect Lumen with IFTTT', 'Use IFTTT applets to trigger your lights from hundreds of services.', 'Open IFTTT and search for Lumen | Connect your account', { status: 'DRAFT' }),
];

/** Markdown body of an article. Earlier versions had fewer steps and no closing section. */
export function articleBody(source: ArticleSource, version: number, latest: number): string {
  const steps = version === latest ? source.steps : source.steps.slice(0, Math.max(2, source.steps.length - (latest - version)));
  const german = source.locale === 'de';
  const lines = [`# ${source.title}`, '', source.intro, '', german ? '## So geht es' : '## Steps', ''];
  steps.forEach((step, i) => lines.push(`${i + 1}. ${step}`));
  if (version === latest) {
    lines.push('', german ? '## Noch Fragen?' : '## Still need help?', '');
    lines.push(german ? 'Schreiben Sie uns im Chat oder per E-Mail, wir helfen gerne.' : 'Chat with us in the app or send us an email, we are happy to help.');
  }
  return lines.join('\n');
}

export const CHANGE_NOTES = ['Updated for app 5.3', 'Clarified the steps', 'Added a troubleshooting tip', 'Fixed screenshots and wording'];
