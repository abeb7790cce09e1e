import 'reflect-metadata';
import { bootstrap } from '@kefu/shared';
import { schedulerApp } from './scheduler.app';

void bootstrap(schedulerApp);
