import type { Command } from '../command.js'
import { apply, create } from './apply.js'
import { deleteCommand } from './delete.js'
import { get } from './get.js'

/** Every revkube command, in the order --help lists them. */
export const commands: Command[] = [get, apply, create, deleteCommand]
