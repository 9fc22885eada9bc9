import { iceMethod } from './ice/ice';
import { noneMethod } from './none/none';
import { getMethod, methodNames, registerMethod } from './registry';

// Registered once at import; editors from src/editors/ add their own registerMethod calls here.
registerMethod(noneMethod);
registerMethod(iceMethod);

export { getMethod, methodNames };
