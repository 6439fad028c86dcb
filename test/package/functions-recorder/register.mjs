// node --import <this file> <entry point>: @azure/functions' `app` becomes a recorder (./recorder.mjs).
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
