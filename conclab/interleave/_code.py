"""Which code the explorer steps through, and which instructions may touch shared state.

A thread is paused only in *scenario code*: any file outside the standard library,
site-packages and this package (a notebook cell, a learner's module, a test). Inside
it, at bytecode granularity, a switch is offered before every instruction that may
read or write memory another thread can see (attributes, subscripts, globals, closure
cells, calls, iteration, in-place operators). Instructions that only touch the
thread's own frame (locals, constants, jumps, arithmetic on values already loaded)
commute with everything the other threads do, so a switch before them cannot change
any outcome; they run together with the instruction before them.
"""

from __future__ import annotations

import dis
import os
import sys
import sysconfig
from dataclasses import dataclass, field

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARY = tuple(
    {
        os.path.normcase(os.path.abspath(p)) + os.sep
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_paths().get(key))
    }
    | {os.path.normcase(os.path.dirname(os.__file__)) + os.sep}
)

# Instructions that touch only the running frame: locals, constants, the value stack,
# jumps, building new objects, and operators on values already loaded (a Python-level
# __add__ or __eq__ is scenario code and is traced on its own).
LOCAL_OPS = frozenset(
    [
        "NOP",
        "RESUME",
        "CACHE",
        "EXTENDED_ARG",
        "POP_TOP",
        "PUSH_NULL",
        "COPY",
        "SWAP",
        "ROT_TWO",
        "ROT_THREE",
        "ROT_FOUR",
        "ROT_N",
        "DUP_TOP",
        "DUP_TOP_TWO",
        "LOAD_FAST",
        "LOAD_FAST_CHECK",
        "LOAD_FAST_AND_CLEAR",
        "LOAD_FAST_LOAD_FAST",
        "LOAD_FAST_BORROW",
        "LOAD_FAST_BORROW_LOAD_FAST_BORROW",
        "STORE_FAST",
        "STORE_FAST_LOAD_FAST",
        "STORE_FAST_STORE_FAST",
        "DELETE_FAST",
        "LOAD_CONST",
        "LOAD_SMALL_INT",
        "RETURN_CONST",
        "RETURN_VALUE",
        "JUMP_FORWARD",
        "JUMP_BACKWARD",
        "JUMP_BACKWARD_NO_INTERRUPT",
        "JUMP_ABSOLUTE",
        "JUMP",
        "JUMP_NO_INTERRUPT",
        "POP_JUMP_IF_FALSE",
        "POP_JUMP_IF_TRUE",
        "POP_JUMP_IF_NONE",
        "POP_JUMP_IF_NOT_NONE",
        "POP_JUMP_FORWARD_IF_FALSE",
        "POP_JUMP_FORWARD_IF_TRUE",
        "POP_JUMP_BACKWARD_IF_FALSE",
        "POP_JUMP_BACKWARD_IF_TRUE",
        "POP_JUMP_FORWARD_IF_NONE",
        "POP_JUMP_FORWARD_IF_NOT_NONE",
        "POP_JUMP_BACKWARD_IF_NONE",
        "POP_JUMP_BACKWARD_IF_NOT_NONE",
        "JUMP_IF_FALSE_OR_POP",
        "JUMP_IF_TRUE_OR_POP",
        "IS_OP",
        "COMPARE_OP",
        "TO_BOOL",
        "UNARY_NEGATIVE",
        "UNARY_NOT",
        "UNARY_INVERT",
        "UNARY_POSITIVE",
        "BUILD_TUPLE",
        "BUILD_LIST",
        "BUILD_SET",
        "BUILD_MAP",
        "BUILD_CONST_KEY_MAP",
        "BUILD_STRING",
        "BUILD_SLICE",
        "FORMAT_VALUE",
        "FORMAT_SIMPLE",
        "FORMAT_WITH_SPEC",
        "CONVERT_VALUE",
        "LIST_APPEND",
        "SET_ADD",
        "MAP_ADD",
        "MAKE_FUNCTION",
        "SET_FUNCTION_ATTRIBUTE",
        "MAKE_CELL",
        "COPY_FREE_VARS",
        "KW_NAMES",
        "PRECALL",
        "LOAD_ASSERTION_ERROR",
        "RERAISE",
        "POP_EXCEPT",
        "PUSH_EXC_INFO",
        "CHECK_EXC_MATCH",
        "END_FOR",
        "POP_BLOCK",
        "SETUP_FINALLY",
        "SETUP_CLEANUP",
        "GEN_START",
        "NOT_TAKEN",
        "POP_ITER",
        "GET_ITER",
        "LIST_TO_TUPLE",
        "BINARY_ADD",
        "BINARY_SUBTRACT",
        "BINARY_MULTIPLY",
        "BINARY_TRUE_DIVIDE",
        "BINARY_FLOOR_DIVIDE",
        "BINARY_MODULO",
        "BINARY_POWER",
        "BINARY_LSHIFT",
        "BINARY_RSHIFT",
        "BINARY_AND",
        "BINARY_OR",
        "BINARY_XOR",
        "BINARY_MATRIX_MULTIPLY",
    ]
)


# Instructions that write shared memory and leave nothing read on the stack.
PURE_WRITES = frozenset(
    [
        "STORE_ATTR",
        "STORE_SUBSCR",
        "STORE_GLOBAL",
        "STORE_DEREF",
        "STORE_NAME",
        "STORE_SLICE",
        "DELETE_ATTR",
        "DELETE_SUBSCR",
        "DELETE_GLOBAL",
        "DELETE_NAME",
        "DELETE_DEREF",
    ]
)


@dataclass
class CodeInfo:
    """What the tracer needs to know about one code object, computed once."""

    instructions: dict[int, str]  # offset -> "OPNAME argument", for the step table
    visible: frozenset[int]  # offsets where a switch is offered at bytecode granularity
    line_starts: frozenset[int]  # offsets that begin a source line
    lines: dict[int, int] = field(default_factory=dict)  # offset -> line number


def is_local(ins: dis.Instruction) -> bool:
    if ins.opname == "BINARY_OP":  # "+" is local, "+=" may mutate a shared list, "[]" reads
        return "=" not in ins.argrepr and "[" not in ins.argrepr
    return ins.opname in LOCAL_OPS


_cache: dict[object, CodeInfo | None] = {}


def scenario_file(filename: str) -> bool:
    if filename.startswith("<frozen") or not filename:
        return False
    if filename.startswith("<"):
        return True  # exec'd or interactive code
    path = os.path.normcase(os.path.abspath(filename))
    if path.startswith(_HERE + os.sep):
        return False
    return not path.startswith(_LIBRARY)


def own_file(filename: str) -> bool:
    """True for this package's own modules."""
    return os.path.normcase(os.path.abspath(filename)).startswith(_HERE + os.sep)


def info(code) -> CodeInfo | None:
    """CodeInfo for scenario code, None for library code (never paused in)."""
    try:
        return _cache[code]
    except KeyError:
        pass
    result = None
    if scenario_file(code.co_filename):
        instructions, visible, lines, line = {}, set(), {}, code.co_firstlineno
        for ins in dis.get_instructions(code):
            text = f"{ins.opname} {ins.argrepr}".strip()
            instructions[ins.offset] = text
            if getattr(ins, "starts_line", None) not in (None, False, True):
                line = ins.starts_line  # 3.10 to 3.12: the line number
            elif getattr(ins, "line_number", None) is not None:
                line = ins.line_number  # 3.13
            lines[ins.offset] = line
            if not is_local(ins):
                visible.add(ins.offset)
        starts = frozenset(off for off, _ in dis.findlinestarts(code))
        result = CodeInfo(instructions, frozenset(visible), starts, lines)
    _cache[code] = result
    return result


def scenario_frames(frame):
    """The chain of scenario frames from frame outwards (innermost first)."""
    out = []
    while frame is not None:
        if info(frame.f_code) is not None:
            out.append(frame)
        frame = frame.f_back
    return out


def caller_frame():
    """The innermost scenario frame of the calling thread (where a primitive was called)."""
    frame = sys._getframe(1)
    while frame is not None and info(frame.f_code) is None:
        frame = frame.f_back
    return frame
