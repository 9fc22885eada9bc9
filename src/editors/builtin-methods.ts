import { iceMethod } from './ice/ice';
import { ikeMethod } from './ike/ike';
import { noneMethod } from './none/none';
import { ftlMethod } from './ft-l/ft-l';
import { ftmMethod } from './ft-m/ft-m';
import { romeMethod } from './rome/rome';
import { memitMethod } from './memit/memit';
import { alphaEditMethod } from './alphaedit/alphaedit';
import { melloMethod } from './mello/mello';
import { pokeMqaMethod } from './pokemqa/pokemqa';
import { loraMethod } from './lora/lora';
import { adaloraMethod } from './adalora/adalora';
import { meloMethod } from './melo/melo';
import { graceMethod } from './grace/grace';
import { seracMethod } from './serac/serac';
import { mendMethod } from './mend/mend';
import { getMethod, methodNames, registerMethod } from './registry';

// Registered once at import; editors from src/editors/ add their own registerMethod calls here.
registerMethod(noneMethod);
registerMethod(iceMethod);
registerMethod(ikeMethod);
registerMethod(romeMethod);
registerMethod(ftlMethod);
registerMethod(ftmMethod);
registerMethod(memitMethod);
registerMethod(alphaEditMethod);
registerMethod(melloMethod);
registerMethod(pokeMqaMethod);
registerMethod(loraMethod);
registerMethod(adaloraMethod);
registerMethod(meloMethod);
registerMethod(graceMethod);
registerMethod(seracMethod);
registerMethod(mendMethod);

export { getMethod, methodNames };
