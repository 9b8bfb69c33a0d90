// Live updates: the Subscription root, durable event subscriptions and typing indicators.
import './root.ts';
import './types.ts';
import './conversations.ts';
import './tickets.ts';
import './customers.ts';
import './typing.ts';
