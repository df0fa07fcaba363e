"""The parts of the validate stage; ``ashyq.validate`` is its entry point and explains how they combine."""
