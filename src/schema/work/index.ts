// Work time: the WorkEntry type, its connections on tickets and conversations, and logWork.
import './types.ts';
import './mutations.ts';
