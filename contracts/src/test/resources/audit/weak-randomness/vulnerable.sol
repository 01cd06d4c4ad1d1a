pragma solidity ^0.5.17;

contract CoinFlip {
    event Flipped(address player, bool won);

    function() external payable {}

    function flip() external payable {
        require(msg.value == 0.1 ether, "stake");
        uint256 roll = uint256(keccak256(abi.encodePacked(block.timestamp, block.difficulty, msg.sender)));
        bool won = roll % 2 == 0;
        if (won) {
            msg.sender.transfer(0.2 ether);
        }
        emit Flipped(msg.sender, won);
    }
}
