import type { Channel } from '../../../src/generated/prisma/client.ts';
import type { Rng } from '../rng.ts';
import type { Topic } from './topics.ts';

/** The help-center bot's display name. */
export const BOT_NAME = 'Lumi (bot)';
export const SYSTEM_NAME = 'Lumen Home';

export const CUSTOMER_THANKS = [
  'Thanks, that worked!',
  'Perfect, thank you for the quick help.',
  'All good now, thanks a lot.',
  'Great, that solved it. Have a nice day!',
];

export const CUSTOMER_REOPEN = [
  'Sorry, it is happening again since this morning.',
  'Unfortunately the problem is back.',
  'I thought it was fixed, but it is not. Can you have another look?',
];

export const CUSTOMER_STILL_STUCK = ['That did not help, can I talk to a person?', 'No, I still need help.', 'Agent please'];

export const BOT_GREETING = [
  'Hi! I am Lumi, the Lumen Home assistant. This article might help: {article}',
  'Thanks for reaching out! Have a look at this guide while I check: {article}',
];

export const BOT_HANDOFF = 'You are now connected with our {team} team. A team member will reply shortly.';

export const BOT_TICKET = 'Our team is offline right now, so I have created a request for you. You will get an answer by email.';

export const AGENT_ESCALATE = [
  'I am passing this on to our technical support team, who can look into your hub remotely. They will contact you by email.',
  'I have created a support request with all the details so far; a specialist will follow up with you.',
];

export const AGENT_PROGRESS = [
  'Thanks for the details. I am checking this with the team and will get back to you.',
  'I can see the issue on our side as well. Give me a moment to look into it.',
];

export const AGENT_HOLD_NOTE = 'Waiting for the engineering team; set on hold.';
export const AGENT_LINK_REPLY = 'We are aware of this issue and our engineers are working on a fix. I have linked your request so you are updated as soon as it is resolved.';
export const AGENT_PROBLEM_FIXED = 'The fix for this issue has been rolled out. Everything should work normally again; please reply if it does not.';

export const TASK_SUBJECTS = [
  'Send replacement hub to customer',
  'Call back customer about their order',
  'Follow up on warranty claim',
  'Check energy report data for customer',
  'Set up business account for customer',
];

export const SURVEY_PRAISE = [
  'Fast and friendly, thank you!',
  'Solved on the first reply.',
  'Very helpful agent.',
  'Great support as always.',
];

export const SURVEY_COMPLAINTS = [
  'Took far too long to get an answer.',
  'I had to explain everything twice.',
  'The problem is still not really fixed.',
  'Hard to reach a human.',
];

/** Random order number like "LH-20417". */
export function orderNumber(rng: Rng): string {
  return `LH-${rng.int(10000, 99999)}`;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => values[key] ?? match);
}

/** Emails read like emails; chat-like channels stay short; calls are logged as summaries. */
export function customerBody(channel: Channel, text: string, firstName: string, opening: boolean): string {
  if (channel === 'EMAIL') return `Hello,\n\n${text}\n\nThanks,\n${firstName}`;
  if (channel === 'PHONE') return opening ? `Inbound call: ${text}` : `Customer on the phone: ${text}`;
  return text;
}

export function agentBody(channel: Channel, text: string, customerFirstName: string, agentFirstName: string): string {
  if (channel === 'EMAIL') return `Hi ${customerFirstName},\n\n${text}\n\nBest regards,\n${agentFirstName}\nLumen Home Customer Care`;
  if (channel === 'PHONE') return `Call summary: ${text}`;
  return text;
}

export function subjectFor(topic: Topic, values: Record<string, string>): string {
  return fill(topic.subject, values);
}
