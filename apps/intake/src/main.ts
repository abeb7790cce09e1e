import 'reflect-metadata';
import { bootstrap } from '@kefu/shared';
import { intakeApp } from './intake.app';

void bootstrap(intakeApp);
