import { Module } from '@nestjs/common';
import { ConsolePagesController } from './console-pages.controller.js';

/** The admin console and the app page: HTML shells here, static assets registered by createApp. */
@Module({ controllers: [ConsolePagesController] })
export class ConsoleModule {}
