#!/bin/bash
# deploy script
build() { make all; }
function deploy { build; rsync -a . host:; }
deploy
