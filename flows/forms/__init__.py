"""The form engine every multi-step conversation is written in: forms as data (form.py),
walked by one aiogram Scene (scene.py), reading typed answers with words.py."""
