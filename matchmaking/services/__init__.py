"""Writes of matchmaking: profiles and settings, requests, blocks, the schedule, meetings."""
