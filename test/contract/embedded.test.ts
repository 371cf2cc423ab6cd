import t from 'tap';
import { runContractSuite } from './suite';
import { startTestDriver } from '../../lib/telephony/testing/driver';

// The embedded driver against real SIPp far ends with generated audio.
void runContractSuite(t, (trunk, media) => startTestDriver({ trunks: [trunk], media }));
